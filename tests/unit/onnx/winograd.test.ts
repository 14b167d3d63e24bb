// Winograd F(4×4, 3×3) lowering: same outputs as the direct conv on ONNX Runtime (odd sizes, batches,
// bias), only eligible convs rewritten, and gradients through lowered forward and backward convs
// agree with the direct ones.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { aInt, aInts, cloneModel, DT, floatTensor, type Model, type Node } from '../../../main/onnx/ir.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { GradRunner } from '../../../main/onnx/runner.js';
import { lowerWinograd } from '../../../main/onnx/winograd.js';
import { winogradFeeds } from '../../../main/onnx/winograd-weights.js';
import { rng } from './gradcheck.js';
import { testModel } from './graphs.js';

const r = rng(21);
const rand = (n: number, s = 1) => Array.from({ length: n }, () => s * (2 * r() - 1));

function convModel(C: number, M: number, attrs: Node['attrs'], bias = true): Model {
  const inputs = ['x', 'w', ...(bias ? ['b'] : [])];
  const kernel = (attrs.kernel_shape?.type === 'ints' && attrs.kernel_shape.value) || [3, 3];
  const group = attrs.group?.type === 'int' ? attrs.group.value : 1;
  const k = kernel[0] * kernel[1];
  return testModel({
    name: 'conv',
    nodes: [{ name: 'conv', opType: 'Conv', domain: '', inputs, outputs: ['y'], attrs: { kernel_shape: aInts(kernel), ...attrs } }],
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: ['N', C, 'H', 'W'] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, shape: undefined }],
    initializers: new Map([
      ['w', floatTensor('w', [M, C / group, ...kernel], rand((M * C * k) / group, 1 / Math.sqrt(C * k)))],
      ...(bias ? ([['b', floatTensor('b', [M], rand(M))]] as const) : []),
    ]),
  });
}

async function run(m: Model, x: Float32Array, dims: number[], feeds: Record<string, ort.Tensor> = {}): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m), { intraOpNumThreads: 1 });
  const out = await s.run({ ...feeds, x: new ort.Tensor('float32', x, dims) });
  await s.release();
  return out.y.data as Float32Array;
}

function maxRelErr(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let d = 0,
    m = 0;
  for (let i = 0; i < want.length; i++) {
    d = Math.max(d, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return d / m;
}

const same = { pads: aInts([1, 1, 1, 1]) };

describe('Winograd lowering', () => {
  it('matches the direct 3×3 conv at odd sizes, in batches, with and without bias, with 4×4 and 6×6 tiles', async () => {
    for (const tile of [4, 6] as const)
      for (const [bias, dims] of [
        [true, [1, 128, 13, 10]],
        [false, [2, 128, 16, 16]],
        [true, [1, 128, 1, 3]],
        [true, [3, 128, 7, 21]],
      ] as [boolean, number[]][]) {
        const m = convModel(128, 144, same, bias);
        const lowered = cloneModel(m);
        const weights = lowerWinograd(lowered.graph, { tile });
        expect(weights.map((w) => [w.weight.name, w.tile])).toEqual([['w', tile]]);
        expect(lowered.graph.nodes.some((n) => n.opType === 'MatMul')).toBe(true);
        expect(lowered.graph.nodes.some((n) => n.opType === 'Conv' && n.inputs[1] === 'w')).toBe(false);
        expect(lowered.graph.initializers.has('w')).toBe(false); // U replaces the 3×3 weights
        const x = Float32Array.from(rand(dims.reduce((a, b) => a * b, 1)));
        const want = await run(m, x, dims);
        const got = await run(lowered, x, dims, await winogradFeeds(weights));
        expect(maxRelErr(got, want)).toBeLessThan(tile === 4 ? 5e-5 : 2e-4);
      }
  });

  it('uses 6×6 tiles up to TILE6_MAX_CHANNELS channels and 4×4 tiles above', () => {
    const m = convModel(128, 128, same);
    m.graph.nodes.push({
      name: 'conv2',
      opType: 'Conv',
      domain: '',
      inputs: ['y', 'w2'],
      outputs: ['z'],
      attrs: { kernel_shape: aInts([3, 3]), ...same },
    });
    m.graph.initializers.set('w2', floatTensor('w2', [512, 128, 3, 3], rand(512 * 128 * 9, 1 / 34)));
    expect(lowerWinograd(cloneModel(m).graph).map((w) => w.tile)).toEqual([6, 4]);
    expect(lowerWinograd(cloneModel(m).graph, { tile6MaxChannels: 64 }).map((w) => w.tile)).toEqual([4, 4]);
    expect(lowerWinograd(cloneModel(m).graph, { tile: 6 }).map((w) => w.tile)).toEqual([6, 6]);
  });

  it('leaves convs it cannot lower exactly as they were', () => {
    const cases: [number, Node['attrs']][] = [
      [128, { pads: aInts([1, 1, 1, 1]), strides: aInts([2, 2]) }],
      [128, { pads: aInts([2, 2, 2, 2]), dilations: aInts([2, 2]) }],
      [128, { pads: aInts([1, 1, 1, 1]), group: aInt(2) }],
      [128, { pads: aInts([0, 0, 0, 0]) }],
      [128, { kernel_shape: aInts([1, 1]) }],
      [64, same], // too few channels: the transforms would cost more than they save
    ];
    for (const [C, attrs] of cases) {
      const m = convModel(C, C, attrs);
      expect(lowerWinograd(m.graph)).toEqual([]);
      expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Conv']);
      expect([...m.graph.initializers.keys()]).toEqual(['w', 'b']); // no unused transform constants
    }
  });

  it('gives the same input gradient as direct convs through a lowered forward and backward', async () => {
    const m = convModel(128, 128, same);
    // conv → relu → conv → sum of squares: both forward convs and the backward of the second are lowered.
    m.graph.nodes.push(
      { name: 'relu', opType: 'Relu', domain: '', inputs: ['y'], outputs: ['a'], attrs: {} },
      { name: 'conv2', opType: 'Conv', domain: '', inputs: ['a', 'w2'], outputs: ['z'], attrs: { kernel_shape: aInts([3, 3]), ...same } },
    );
    m.graph.initializers.set('w2', floatTensor('w2', [128, 128, 3, 3], rand(128 * 128 * 9, 1 / 34)));
    m.graph.outputs = [{ name: 'z', elemType: DT.FLOAT, shape: undefined }];
    const spec = { objectives: [{ objective: { kind: 'sumsq' as const, tensor: 'z' } }] };
    const lowered = buildGradGraph(m, spec);
    expect(lowered.model.graph.nodes.filter((n) => n.name.startsWith('wino/wt_mm')).length).toBe(4);
    const direct = buildGradGraph(m, { ...spec, winograd: false });
    expect(direct.model.graph.nodes.some((n) => n.opType === 'MatMul')).toBe(false);

    const runner = new GradRunner({ threads: 1 });
    const exactRunner = new GradRunner({ threads: 1, precision: 'exact' });
    const dims = [1, 128, 11, 9];
    const x = Float32Array.from(rand(dims.reduce((a, b) => a * b, 1)));
    const fastSession = await runner.session(m, spec, dims);
    const exactSession = await exactRunner.session(m, spec, dims);
    const loweredIn = (s: typeof fastSession) => s.graph.model.graph.nodes.filter((n) => n.name.startsWith('wino/wt_mm')).length;
    expect(loweredIn(fastSession)).toBe(4); // the default precision lowers
    expect(loweredIn(exactSession)).toBe(0); // 'exact' (grad --exact) keeps direct convolutions
    const got = await fastSession.run(x, dims);
    const want = await exactSession.run(x, dims);
    await runner.release();
    await exactRunner.release();
    expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
    expect(maxRelErr(got.grad, want.grad)).toBeLessThan(1e-4);
  });
});
