// The training graph's contract: what is fed and what comes out, frozen weights staying initializers, no
// input gradient unless asked, weights as graph inputs differentiating like initializers, and ORT's
// graph optimisations leaving the values alone.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { differentiate } from '../../../../main/onnx/grad/differentiate.js';
import { aInt, aInts, cloneModel, DT, floatTensor, type Model } from '../../../../main/onnx/ir.js';
import { encodeModel } from '../../../../main/onnx/proto.js';
import { inferShapes } from '../../../../main/onnx/shapes.js';
import { parameterNames } from '../../../../main/train/graph/prepare.js';
import { buildTrainGraph } from '../../../../main/train/graph/train-graph.js';
import { ARCHITECTURES } from '../../../../main/train/models/arch.js';
import { buildHead } from '../../../../main/train/models/head.js';
import { seededRng } from '../../../../main/optim/rng.js';
import { TrainStep } from '../../../../main/train/step-session.js';
import { node, testModel } from '../../onnx/graphs.js';
import { runFeeds, session } from './fd.js';
import { trainFeeds, uniform } from './helpers.js';

const lenet = ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, seed: 3, dropout: 0.5 });
const all = parameterNames(lenet);

describe('training graph inputs and outputs', () => {
  it('feeds image, labels, trainable weights and masks; outputs loss, ce, correct, logits and grad:<weight>', () => {
    const trainable = all.filter((w) => !w.startsWith('conv1.'));
    const tg = buildTrainGraph(lenet, { trainable, dropoutSeedable: true });
    const g = tg.model.graph;
    expect(g.inputs.map((v) => v.name)).toEqual(['input', 'dropout_mask:dropout', ...trainable, 'labels']);
    expect(g.inputs.find((v) => v.name === 'labels')).toEqual({ name: 'labels', elemType: DT.INT64, shape: ['N'] });
    expect(g.inputs[0].shape).toEqual(['N', 1, 28, 28]);
    expect(g.outputs.map((o) => o.name)).toEqual(['loss', 'ce', 'correct', 'logits', ...trainable.map((w) => `grad:${w}`)]);
    expect(tg.params.map((p) => [p.name, p.grad])).toEqual(trainable.map((w) => [w, `grad:${w}`]));
    // Frozen weights stay initializers; trained ones are not (they are fed).
    expect(g.initializers.has('conv1.weight') && g.initializers.has('conv1.bias')).toBe(true);
    expect(trainable.some((w) => g.initializers.has(w))).toBe(false);
    expect(tg.penalised).toEqual(['conv2.weight', 'fc1.weight', 'fc2.weight', 'fc3.weight']);
  });

  it('computes no input gradient unless asked', () => {
    const readsConv1 = (m: Model) => m.graph.nodes.filter((n) => n.name.startsWith('grad/') && n.inputs.includes('conv1.weight')).length;
    const without = buildTrainGraph(lenet, { trainable: all, dropoutSeedable: true });
    const withIt = buildTrainGraph(lenet, { trainable: all, dropoutSeedable: true, inputGradient: true });
    expect(without.model.graph.outputs.some((o) => o.name === 'grad:input')).toBe(false);
    expect(readsConv1(without.model)).toBe(0);
    expect(readsConv1(withIt.model)).toBe(1);
    expect(withIt.outputs.inputGrad).toBe('grad:input');
  });

  it('refuses what cannot be trained', () => {
    expect(() => buildTrainGraph(lenet, { trainable: ['nope'], dropoutSeedable: true })).toThrow(/not a float initializer/);
    expect(() => buildTrainGraph(lenet, { trainable: ['fc1.bias'], penalised: ['fc1.weight'], dropoutSeedable: true })).toThrow(
      /not trainable/,
    );
  });
});

describe('transfer heads', () => {
  it('an MLP head trains on embeddings [N, D] with its dropout mask [N, hidden]', async () => {
    const head = buildHead({ dim: 32, classes: 4, kind: 'mlp', hidden: 8, dropout: 0.5, seed: 2 });
    const tg = buildTrainGraph(head, { trainable: parameterNames(head), dropoutSeedable: true, l2: 1e-2 });
    expect(tg.input).toBe('embedding');
    expect(tg.dropout.map((d) => [d.input, d.shape])).toEqual([['dropout_mask:dropout', ['N', 8]]]);
    const s = await session(tg.model);
    const out = await runFeeds(
      s,
      trainFeeds(head, tg, uniform(3 * 32, 80), [0, 3, 1], { dropout: uniform(3 * 8, 81).map((v) => (v > 0 ? 1 : 0)) }),
    );
    await s.release();
    expect(Number.isFinite(Number(out.loss.data[0]))).toBe(true);
    expect(out['grad:fc1.weight'].dims).toEqual([8, 32]);
  });
});

describe('weights as graph inputs', () => {
  // Stride 1 with 8 input channels takes the flipped-kernel path, which flips an initializer at build
  // time and a graph input by ops at run time; grouped and strided convs take ConvTranspose.
  const W = { w: [6, 8, 3, 3], w2: [6, 3, 3, 2], w3: [4, 6, 3, 3] } as const;
  const net = (asInputs: boolean): Model => {
    const inits = Object.entries(W).map(([k, dims], i) =>
      floatTensor(
        k,
        [...dims],
        uniform(
          dims.reduce((a, b) => a * b, 1),
          40 + i,
        ),
      ),
    );
    return testModel({
      nodes: [
        node('c1', 'Conv', ['x', 'w'], ['a'], { pads: aInts([1, 1, 1, 1]), kernel_shape: aInts([3, 3]) }),
        node('c2', 'Conv', ['a', 'w2'], ['b'], { pads: aInts([1, 0, 1, 1]), group: aInt(2), kernel_shape: aInts([3, 2]) }),
        node('c3', 'Conv', ['b', 'w3'], ['c'], { pads: aInts([1, 1, 1, 1]), strides: aInts([2, 2]), kernel_shape: aInts([3, 3]) }),
        node('l', 'ReduceSumSquare', ['c'], ['loss'], { keepdims: aInt(0) }),
      ],
      inputs: [
        { name: 'x', elemType: DT.FLOAT, shape: [2, 8, 5, 5] },
        ...(asInputs ? inits.map((t) => ({ name: t.name, elemType: DT.FLOAT, shape: t.dims })) : []),
      ],
      outputs: [],
      initializers: asInputs ? [] : inits,
    });
  };

  it('differentiate gives the same gradients for weights fed as inputs as for initializers', async () => {
    const x = Float32Array.from(uniform(2 * 8 * 25, 50));
    const ref = net(false);
    const results: Record<string, Float32Array>[] = [];
    for (const asInputs of [false, true]) {
      const m = net(asInputs);
      const wrt = ['x', ...Object.keys(W)];
      const grads = differentiate(m, inferShapes(m), { loss: 'loss', wrt });
      m.graph.outputs = wrt.map((w) => ({ name: grads.get(w)!, elemType: DT.FLOAT }));
      const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [2, 8, 5, 5]) };
      if (asInputs)
        for (const k of Object.keys(W))
          feeds[k] = new ort.Tensor('float32', ref.graph.initializers.get(k)!.data as Float32Array, [...W[k as keyof typeof W]]);
      const s = await ort.InferenceSession.create(encodeModel(m));
      const out = await s.run(feeds);
      await s.release();
      results.push(Object.fromEntries(wrt.map((w) => [w, out[grads.get(w)!].data as Float32Array])));
    }
    for (const k of Object.keys(results[0])) {
      const a = results[0][k];
      const b = results[1][k];
      const scale = Math.max(...a.map(Math.abs));
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale, k).toBeLessThan(1e-5);
    }
  });
});

describe('one session per run', () => {
  it("ORT's level 'all' gives the values of level 'disabled' (ResNet-20: training BN, fixed shortcuts)", async () => {
    const forward = ARCHITECTURES.resnet20.build({ channels: 3, size: 16, classes: 5, seed: 9 });
    const trainable = parameterNames(forward);
    const tg = buildTrainGraph(forward, { trainable, dropoutSeedable: true, l2: 1e-3 });
    const feeds = trainFeeds(forward, tg, uniform(4 * 3 * 16 * 16, 60), [0, 1, 4, 2]);
    const outs = [];
    for (const level of ['disabled', 'all'] as const) {
      const s = await session(tg.model, level);
      outs.push(await runFeeds(s, feeds));
      await s.release();
    }
    expect(Number(outs[1].loss.data[0])).toBeCloseTo(Number(outs[0].loss.data[0]), 5);
    for (const p of tg.params) {
      const a = outs[0][p.grad].data as Float32Array;
      const b = outs[1][p.grad].data as Float32Array;
      const scale = Math.max(1e-6, ...a.map(Math.abs));
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale, p.name).toBeLessThan(1e-3);
    }
  });

  it('new weights are new feeds: the same session gives the loss of a graph built with them', async () => {
    const tg = buildTrainGraph(lenet, { trainable: all, dropoutSeedable: true });
    const x = uniform(2 * 784, 70, 0, 1);
    const mask = { dropout: new Array(2 * 84).fill(1) };
    const s = await session(tg.model);
    const changed = cloneModel(lenet);
    const w = changed.graph.initializers.get('fc3.weight')!;
    changed.graph.initializers.set('fc3.weight', { ...w, data: (w.data as Float32Array).map((v) => v * 1.5) });
    const a = await runFeeds(s, trainFeeds(lenet, tg, x, [3, 7], mask));
    const b = await runFeeds(s, trainFeeds(changed, tg, x, [3, 7], mask));
    await s.release();
    const tg2 = buildTrainGraph(changed, { trainable: all, dropoutSeedable: true });
    const s2 = await session(tg2.model);
    const c = await runFeeds(s2, trainFeeds(changed, tg2, x, [3, 7], mask));
    await s2.release();
    expect(Number(b.loss.data[0])).not.toBeCloseTo(Number(a.loss.data[0]), 3);
    expect(Number(b.loss.data[0])).toBeCloseTo(Number(c.loss.data[0]), 6);
  });

  it('a step fixed to the batch size of the run gives the numbers of a dynamic session, and runs a shorter last batch', async () => {
    const tg = buildTrainGraph(lenet, { trainable: all, dropoutSeedable: true });
    const weights = new Map([...lenet.graph.initializers].map(([k, t]) => [k, (t.data as Float32Array).slice()]));
    const fixed = await TrainStep.create(tg, 'cpu', 4);
    const dynamic = await TrainStep.create(tg, 'cpu');
    try {
      for (const n of [4, 3]) {
        const x = Float32Array.from(uniform(n * 784, 71 + n, 0, 1));
        const labels = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 10));
        const a = await fixed.run(x, [n, 1, 28, 28], labels, weights, seededRng(1));
        const b = await dynamic.run(x, [n, 1, 28, 28], labels, weights, seededRng(1));
        expect(a.loss, `batch ${n}`).toBeCloseTo(b.loss, 6);
        a.grads.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - b.grads[i][j])).toBeLessThan(1e-6)));
      }
    } finally {
      await fixed.release();
      await dynamic.release();
    }
  });
});
