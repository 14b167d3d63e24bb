// Where a training step's time goes (not a CI test): for each model, (1) one trainer iteration split into its
// parts (batch, TrainStep.run = feeds + ORT run + BN statistics, the optimiser), (2) the train graph under ORT
// optimisation levels and thread spinning, sessions made here with createTrainSession's options otherwise,
// timed round-robin, (3) ORT's per-kernel profile of the studio's session ('extended'), grouped by op and
// node, beside PyTorch's autograd profile of the same step (--torch).
// Usage: npx tsx bench/train/profile.ts [--model lenet,resnet,linear,mlp] [--runs 20] [--threads 2] [--top 14] [--torch]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../main/onnx/proto';
import type { Model } from '../../main/onnx/ir';
import { seededRng } from '../../main/optim/rng';
import { readFashionMnist } from '../../main/train/data/fashion-mnist';
import { makeBatch } from '../../main/train/data/augment';
import { parameterNames } from '../../main/train/graph/prepare';
import { buildTrainGraph, type TrainGraph } from '../../main/train/graph/train-graph';
import { ARCHITECTURES } from '../../main/train/models/arch';
import { buildHead } from '../../main/train/models/head';
import { defaultHyper, Optimizer, type OptimizerId } from '../../main/train/optim/optimizers';
import { EmbeddingSource } from '../../main/train/sources';
import { TrainStep, type Weights } from '../../main/train/step-session';
import { PYTHON } from '../lib/torch';
import { dconvAsConvTranspose, adamAlternatives } from './lib-experiments';
import { roundRobin } from './lib-stats';
import { initialWeights } from './lib-train-setup';
import { peerEnv } from './peer-env';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'lenet,resnet,linear,mlp' },
    runs: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    top: { type: 'string', default: '14' },
    torch: { type: 'boolean', default: false },
    experiments: { type: 'boolean', default: true },
  },
});
const threads = Number(values.threads);
const runs = Number(values.runs);
process.env.VISION_STUDIO_THREADS = String(threads);
const ms = (x: number) => `${x.toFixed(x < 1 ? 3 : x < 10 ? 2 : 1)} ms`;

interface Case {
  forward: Model;
  dims: number[];
  optimizer: OptimizerId;
  hyper: Record<string, number>;
  /** The trainer's batch for this case (a fresh one each call, as trainLoop asks its source). */
  batch: () => { x: Float32Array; labels: BigInt64Array };
  torch?: string[];
}

async function makeCase(name: string): Promise<Case> {
  const rng = seededRng(1);
  if (name === 'lenet') {
    const tr = await readFashionMnist('train');
    const set = { n: tr.count, size: 28, channels: 1 as const, data: tr.images, labels: Int32Array.from(tr.labels) };
    const out = new Float32Array(64 * 784);
    const none = new Set<never>();
    return {
      forward: ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, seed: 1 }),
      dims: [64, 1, 28, 28],
      optimizer: 'adam',
      hyper: { lr: 1e-3 },
      batch: () => {
        const idx = Uint32Array.from({ length: 64 }, () => rng.int(0, set.n - 1));
        return makeBatch(set, idx, { augment: none, mean: [0.286], std: [0.353], rng, out });
      },
      torch: ['lenet', '64'],
    };
  }
  if (name === 'resnet') {
    const x = Float32Array.from({ length: 128 * 3 * 32 * 32 }, () => rng.normal());
    const labels = BigInt64Array.from({ length: 128 }, () => BigInt(rng.int(0, 9)));
    return {
      forward: ARCHITECTURES.resnet20.build({ channels: 3, size: 32, classes: 10, seed: 1 }),
      dims: [128, 3, 32, 32],
      optimizer: 'momentum',
      hyper: { lr: 0.1, momentum: 0.9 },
      batch: () => ({ x, labels }),
      torch: ['resnet', '128'],
    };
  }
  // Heads: random 1280-d rows in an EmbeddingSource, as the trainer gathers them.
  const n = 1600;
  const rows = Array.from({ length: n }, () => Float32Array.from({ length: 1280 }, () => Math.max(0, rng.normal())));
  const src = new EmbeddingSource(
    [rows],
    Int32Array.from({ length: n }, () => rng.int(0, 9)),
    rows.slice(0, 10),
    new Int32Array(10),
    1280,
  );
  return {
    forward: buildHead({ dim: 1280, classes: 10, kind: name as 'linear' | 'mlp', seed: 1 }),
    dims: [64, 1280],
    optimizer: 'adam',
    hyper: { lr: 1e-3 },
    batch: () =>
      src.trainBatch(
        Uint32Array.from({ length: 64 }, () => rng.int(0, n - 1)),
        1,
        rng,
      ),
    torch: [name, '64'],
  };
}

function session(tg: TrainGraph, level: 'basic' | 'extended' | 'all', spin = true, profile?: string) {
  return ort.InferenceSession.create(encodeModel(tg.model), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: level,
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    ...(profile ? { enableProfiling: true, profileFilePrefix: profile } : {}),
  });
}

/** Feeds and fetch list exactly as TrainStep.run builds them. */
function feedsOf(tg: TrainGraph, c: Case, w: Weights, b: { x: Float32Array; labels: BigInt64Array }) {
  const n = c.dims[0];
  const feeds: Record<string, ort.Tensor> = {
    [tg.input]: new ort.Tensor('float32', b.x, c.dims),
    [tg.labels]: new ort.Tensor('int64', b.labels, [n]),
  };
  for (const p of tg.params) feeds[p.name] = new ort.Tensor('float32', w.get(p.name)!, p.shape);
  const rng = seededRng(2);
  for (const d of tg.dropout) {
    const shape = [n, ...d.perSample];
    const mask = new Float32Array(shape.reduce((a, v) => a * v, 1));
    rng.bernoulli(mask, 1 - d.ratio);
    feeds[d.input] = new ort.Tensor('float32', mask, shape);
  }
  const fetch = [tg.outputs.loss, tg.outputs.ce, tg.outputs.correct, ...tg.params.map((p) => p.grad)];
  for (const s of tg.batchNorm) fetch.push(s.mean, s.varUnbiased);
  return { feeds, fetch };
}

async function kernelProfile(tg: TrainGraph, c: Case, w: Weights, level: 'extended' | 'all') {
  const prefix = path.join(os.tmpdir(), `vs-train-profile-${process.pid}-${level}`);
  const s = await session(tg, level, true, prefix);
  const { feeds, fetch } = feedsOf(tg, c, w, c.batch());
  const n = Math.max(5, Math.round(runs / 2));
  for (let i = 0; i < n + 1; i++) await s.run(feeds, fetch);
  s.endProfiling();
  await s.release();
  const dir = path.dirname(prefix);
  const file = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.startsWith(path.basename(prefix)))!,
  );
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; dur: number; cat?: string; args?: { op_name?: string } }[];
  fs.rmSync(file);
  const byOp = new Map<string, number>();
  const byNode = new Map<string, { us: number; n: number }>();
  let runUs = 0;
  for (const e of events) {
    if (e.name === 'model_run') runUs += e.dur;
    if (!e.name.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const node = e.name.replace(/_kernel_time$/, '');
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
    // Node names with their numbers dropped: "Conv layer.conv", "MatMul grad/dW_node", "Conv grad/dconv_node".
    const key = `${e.args.op_name} ${node.replace(/[_/.]?\d+/g, '')}`;
    const v = byNode.get(key) ?? { us: 0, n: 0 };
    v.us += e.dur;
    v.n++;
    byNode.set(key, v);
  }
  const per = (us: number) => us / (n + 1) / 1000;
  const kernels = [...byOp.values()].reduce((a, b) => a + b, 0);
  return { per, kernels: per(kernels), run: per(runUs), byOp, byNode, n };
}

async function profileCase(name: string) {
  const c = await makeCase(name);
  const trainable = parameterNames(c.forward);
  const tg = buildTrainGraph(c.forward, { trainable, dropoutSeedable: true });
  const w = initialWeights(c.forward);
  const step = await TrainStep.create(tg, 'cpu', c.dims[0]); // the studio's session: createTrainSession, level 'extended', N fixed
  const raw = (step as unknown as { session: ort.InferenceSession }).session;
  const opt = new Optimizer(c.optimizer, [{ params: tg.params.map((p) => w.get(p.name)!) }], { ...defaultHyper(c.optimizer), ...c.hyper });
  const rng = seededRng(3);
  const b0 = c.batch();
  const { feeds, fetch } = feedsOf(tg, c, w, b0);
  let grads = (await step.run(b0.x, c.dims, b0.labels, w, rng)).grads;
  const nParams = tg.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  console.log(
    `\n== ${name}: batch ${c.dims.join('×')}, ${nParams} params, ${tg.model.graph.nodes.length} train-graph nodes, ` +
      `${tg.batchNorm.length} BN, ${tg.dropout.length} dropout; ${c.optimizer}; median of ${runs}, threads ${threads}`,
  );

  // (1) one trainer iteration, part by part
  const parts = await roundRobin(
    {
      batch: () => c.batch(),
      'TrainStep.run': async () => (grads = (await step.run(b0.x, c.dims, b0.labels, w, rng)).grads),
      'session.run (same session, feeds prebuilt)': () => raw.run(feeds, fetch),
      feeds: () => feedsOf(tg, c, w, b0),
      'optimizer.step': () => opt.step([grads]),
    },
    runs,
  );
  const iter = parts.batch + parts['TrainStep.run'] + parts['optimizer.step'];
  console.log(`one iteration ≈ ${ms(iter)}:`);
  for (const [k, v] of Object.entries(parts))
    console.log(`  ${k.padEnd(44)} ${ms(v).padStart(10)}  ${((100 * v) / iter).toFixed(1).padStart(5)}%`);
  const over = parts['TrainStep.run'] - parts['session.run (same session, feeds prebuilt)'];
  console.log(`  → TrainStep overhead outside ORT (feeds, masks, BN stats, outputs): ${ms(over)}`);

  // (2) optimisation levels and spinning, fresh sessions, round-robin in blocks (see roundRobin)
  const sessions = {
    'extended (studio)': await session(tg, 'extended'),
    basic: await session(tg, 'basic'),
    all: await session(tg, 'all'),
    'extended, no spinning': await session(tg, 'extended', false),
  };
  const lv = await roundRobin(Object.fromEntries(Object.entries(sessions).map(([k, s]) => [k, () => s.run(feeds, fetch)])), runs, 1, 5);
  const base = lv['extended (studio)'];
  console.log(
    'session.run by level:',
    Object.entries(lv)
      .map(([k, v]) => `${k} ${ms(v)} (${(((v - base) / base) * 100).toFixed(0)}%)`)
      .join(', '),
  );
  for (const s of Object.values(sessions)) await s.release();

  // (2b) experiments (lib-experiments.ts)
  if (values.experiments) {
    const ct = dconvAsConvTranspose(tg);
    if (ct.replaced) {
      const a = await session(tg, 'extended');
      const b = await ort.InferenceSession.create(encodeModel(ct.model), {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'extended',
      });
      const r = await roundRobin({ studio: () => a.run(feeds, fetch), convT: () => b.run(feeds, fetch) }, runs, 1, 5);
      const oa = await a.run(feeds, fetch);
      const ob = await b.run(feeds, fetch);
      let maxRel = 0;
      for (const p of tg.params) {
        const x = oa[p.grad].data as Float32Array;
        const y = ob[p.grad].data as Float32Array;
        const scale = x.reduce((m, q) => Math.max(m, Math.abs(q)), 0) || 1;
        for (let i = 0; i < x.length; i++) maxRel = Math.max(maxRel, Math.abs(x[i] - y[i]) / scale);
      }
      console.log(
        `input gradients of ${ct.replaced} stride-1 conv(s) as ConvTranspose instead of flipped-weight Conv: session.run ${ms(r.studio)} → ${ms(r.convT)} ` +
          `(${(((r.convT - r.studio) / r.studio) * 100).toFixed(0)}%), weight gradients agree to ${maxRel.toExponential(1)} of their max`,
      );
      await a.release();
      await b.release();
    }
    if (c.optimizer === 'adam') {
      const a = await adamAlternatives(
        grads,
        tg.params.map((p) => p.shape.reduce((x, y) => x * y, 1)),
        threads,
        runs,
      );
      console.log(
        `Adam over ${nParams} params: studio Optimizer.step ${ms(a.js)}; the same rule with its branches and hyperparameters hoisted out ` +
          `of the loop ${ms(a.hoisted)} (${a.differ} values differ from the studio's after ${runs + 2} steps); as an ORT graph ` +
          `(per tensor, ${threads} thread(s)) ${ms(a.ort)} (max rel. diff ${a.maxRel.toExponential(1)}: not torch's rounding)`,
      );
    }
  }

  // (3) ORT's kernels
  const top = Number(values.top);
  for (const level of ['extended', 'all'] as const) {
    const p = await kernelProfile(tg, c, w, level);
    const ops = [...p.byOp].sort((a, b) => b[1] - a[1]);
    console.log(
      `ORT profile, level ${level}: model_run ${ms(p.run)}, kernels ${ms(p.kernels)} per run (mean of ${p.n + 1}); by op: ` +
        ops
          .slice(0, 8)
          .map(([k, v]) => `${k} ${ms(p.per(v))}`)
          .join(', '),
    );
    if (level === 'all') continue;
    const nodes = [...p.byNode].sort((a, b) => b[1].us - a[1].us).slice(0, top);
    for (const [k, v] of nodes)
      console.log(
        `  ${k.padEnd(48)} ${ms(p.per(v.us)).padStart(10)}  ${((100 * p.per(v.us)) / p.kernels).toFixed(1).padStart(5)}%  ${v.n / (p.n + 1)} nodes`,
      );
  }
  await step.release();

  if (values.torch && c.torch) {
    const r = spawnSync(PYTHON, [path.join(here, 'torch_profile.py'), ...c.torch, String(threads), String(runs)], {
      encoding: 'utf8',
      env: peerEnv(threads),
    });
    if (r.status !== 0) throw new Error(r.stderr);
    console.log(r.stdout.trimEnd());
  }
}

console.log(`ORT ${ort.env.versions.common}; ${os.availableParallelism()} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
for (const m of values.model!.split(',')) await profileCase(m);
