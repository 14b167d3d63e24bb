// Experiments of bench/train/profile.ts, made in sessions of its own (main/ untouched): the train graph with its
// input-gradient convs as ConvTranspose, and Adam's update as the studio's JS, hoisted JS and an ORT graph.
import * as ort from 'onnxruntime-node';
import { aInt, aInts, attrInts, DT, type Model, type Node } from '../../main/onnx/ir';
import { encodeModel } from '../../main/onnx/proto';
import { pruneDead } from '../../main/onnx/surgery';
import type { TrainGraph } from '../../main/train/graph/train-graph';
import { Optimizer } from '../../main/train/optim/optimizers';
import { roundRobin } from './lib-stats';

/**
 * The train graph with every stride-1 input gradient written as a flipped-weight Conv ("grad/dconv") replaced by
 * ConvTranspose on the forward weight with the forward pads (what onnx/grad/rules-linear.ts does today only for
 * ≤ 4 input channels, FEW_CHANNELS).
 */
export function dconvAsConvTranspose(tg: TrainGraph): { model: Model; replaced: number } {
  const g = { ...tg.model.graph, nodes: tg.model.graph.nodes.map((n) => ({ ...n })), initializers: new Map(tg.model.graph.initializers) };
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const params = new Set(tg.params.map((p) => p.name));
  const forwardConv = new Map<string, Node>();
  for (const n of g.nodes) if (n.opType === 'Conv' && params.has(n.inputs[1])) forwardConv.set(n.inputs[1], n);
  const weightOf = (t: string): string | null => {
    const seen = new Set<string>();
    const todo = [t];
    while (todo.length) {
      const x = todo.shift()!;
      if (params.has(x)) return x;
      if (seen.has(x)) continue;
      seen.add(x);
      todo.push(...(producer.get(x)?.inputs.filter(Boolean) ?? []));
    }
    return null;
  };
  let replaced = 0;
  g.nodes = g.nodes.map((n) => {
    if (n.opType !== 'Conv' || !n.name.startsWith('grad/dconv')) return n;
    const w = weightOf(n.inputs[1]);
    const f = w && forwardConv.get(w);
    if (!f || (attrInts(f, 'strides') ?? [1, 1]).some((v) => v !== 1) || (attrInts(f, 'group') ?? [1])[0] !== 1) return n;
    replaced++;
    const attrs = { kernel_shape: aInts(attrInts(f, 'kernel_shape')!), pads: aInts(attrInts(f, 'pads') ?? [0, 0, 0, 0]), group: aInt(1) };
    return { ...n, opType: 'ConvTranspose', inputs: [n.inputs[0], w!], attrs };
  });
  pruneDead(g);
  return { model: { ...tg.model, graph: g }, replaced };
}

/** Adam's update (torch 1.13's single-tensor rule) as an ONNX graph: p, g, m, v in, p, m, v out. */
function adamGraph(): Uint8Array {
  const v = (name: string, shape: (string | number)[]) => ({ name, elemType: DT.FLOAT, shape });
  const c = (name: string, x: number) => ({ name, dataType: DT.FLOAT, dims: [], data: Float32Array.of(x) });
  const op = (opType: string, inputs: string[], out: string): Node => ({
    name: out,
    opType,
    domain: '',
    inputs,
    outputs: [out],
    attrs: {},
  });
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'bench-train-adam',
    baseDir: null,
    graph: {
      name: 'adam',
      inputs: [v('p', ['L']), v('g', ['L']), v('m', ['L']), v('v', ['L']), v('neg_step', []), v('bc2_sqrt', [])],
      outputs: [v('p_out', ['L']), v('m_out', ['L']), v('v_out', ['L'])],
      initializers: new Map(
        [c('b1', 0.9), c('omb1', 1 - 0.9), c('b2', 0.999), c('omb2', 1 - 0.999), c('eps', 1e-8)].map((t) => [t.name, t]),
      ),
      valueInfo: new Map(),
      nodes: [
        op('Mul', ['m', 'b1'], 'm1'),
        op('Mul', ['g', 'omb1'], 'm2'),
        op('Add', ['m1', 'm2'], 'm_out'),
        op('Mul', ['v', 'b2'], 'v1'),
        op('Mul', ['g', 'g'], 'gg'),
        op('Mul', ['gg', 'omb2'], 'v2'),
        op('Add', ['v1', 'v2'], 'v_out'),
        op('Sqrt', ['v_out'], 'sq'),
        op('Div', ['sq', 'bc2_sqrt'], 'sq2'),
        op('Add', ['sq2', 'eps'], 'den'),
        op('Mul', ['m_out', 'neg_step'], 'num'),
        op('Div', ['num', 'den'], 'upd'),
        op('Add', ['p', 'upd'], 'p_out'),
      ],
    },
  };
  return encodeModel(model);
}

/** The studio's Adam (exact torch rounding, in JS) against the same update as one ORT session per tensor. */
export async function adamAlternatives(grads: Float32Array[], lengths: number[], threads: number, runs: number) {
  const mk = () => lengths.map((n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) * 0.1));
  const pa = mk();
  const pb = mk();
  const opt = new Optimizer('adam', [{ params: pa }], { lr: 1e-3 });
  const s = await ort.InferenceSession.create(adamGraph(), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const m = lengths.map((n) => new Float32Array(n));
  const v = lengths.map((n) => new Float32Array(n));
  const f = (x: Float32Array) => new ort.Tensor('float32', x, [x.length]);
  let t = 0;
  const ortStep = async () => {
    t++;
    const negStep = new ort.Tensor('float32', Float32Array.of(-(1e-3 / (1 - 0.9 ** t))), []);
    const bc2 = new ort.Tensor('float32', Float32Array.of(Math.sqrt(1 - 0.999 ** t)), []);
    for (let k = 0; k < pb.length; k++) {
      const o = await s.run({ p: f(pb[k]), g: f(grads[k]), m: f(m[k]), v: f(v[k]), neg_step: negStep, bc2_sqrt: bc2 });
      pb[k].set(o.p_out.data as Float32Array);
      m[k].set(o.m_out.data as Float32Array);
      v[k].set(o.v_out.data as Float32Array);
    }
  };
  // adamRule's arithmetic, rounding for rounding (fused multiply-adds, weight decay 0, no AMSGrad), with the
  // hyperparameters and branches hoisted out of the per-element loop.
  const pc = mk();
  const mc = lengths.map((n) => new Float32Array(n));
  const vc = lengths.map((n) => new Float32Array(n));
  const f32 = Math.fround;
  let tc = 0;
  const hoisted = () => {
    tc++;
    const negStep = f32(-(1e-3 / (1 - 0.9 ** tc)));
    const bc2Sqrt = f32(Math.sqrt(1 - 0.999 ** tc));
    const [b1, omb1, b2, omb2, eps] = [f32(0.9), f32(1 - 0.9), f32(0.999), f32(1 - 0.999), f32(1e-8)];
    for (let k = 0; k < pc.length; k++) {
      const [p, g, m, v] = [pc[k], grads[k], mc[k], vc[k]];
      for (let i = 0; i < p.length; i++) {
        const d = g[i];
        const mi = (m[i] = f32(omb1 * d + f32(m[i] * b1)));
        const vi = (v[i] = f32(f32(omb2 * d) * d + f32(v[i] * b2)));
        p[i] = f32(p[i] + f32(f32(negStep * mi) / f32(f32(f32(Math.sqrt(vi)) / bc2Sqrt) + eps)));
      }
    }
  };
  const r = await roundRobin({ js: () => opt.step([grads]), hoisted, ort: ortStep }, runs, 2);
  let maxRel = 0;
  let differ = 0;
  pa.forEach((p, k) =>
    p.forEach((x, i) => {
      maxRel = Math.max(maxRel, Math.abs(x - pb[k][i]) / (Math.abs(x) + 1e-12));
      if (x !== pc[k][i]) differ++;
    }),
  );
  await s.release();
  return { js: r.js, hoisted: r.hoisted, ort: r.ort, maxRel, differ };
}
