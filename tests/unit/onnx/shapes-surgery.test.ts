// Shape inference (static and symbolic), surgery (truncate, fold BN, MaxPool→AveragePool, dynamic
// spatial dims, opset upgrade) checked against real ORT runs where values matter.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { aFloat, aInt, aInts, DT, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { inferShapes } from '../../../main/onnx/shapes.js';
import { foldBatchNorm, makeSpatialDynamic, maxPoolToAverage, truncateAt, upgradeOpset } from '../../../main/onnx/surgery.js';
import { rng } from './gradcheck.js';
import { node, testModel } from './graphs.js';

const r = rng(3);
const rand = (n: number) => Array.from({ length: n }, () => 2 * r() - 1);

/** conv(3→4, 3x3 s2 p1) → BN → relu → maxpool 3x3 s2 p1 → GAP → flatten → gemm(4→5) */
function smallCnn(opset = 17): Model {
  const init = new Map([
    ['w', floatTensor('w', [4, 3, 3, 3], rand(108))],
    ['cb', floatTensor('cb', [4], rand(4))],
    ['g', floatTensor('g', [4], [1.5, 0.5, 2, 1])],
    ['b', floatTensor('b', [4], rand(4))],
    ['mu', floatTensor('mu', [4], rand(4))],
    ['var', floatTensor('var', [4], [0.5, 1, 2, 0.25])],
    ['fw', floatTensor('fw', [5, 4], rand(20))],
    ['fb', floatTensor('fb', [5], rand(5))],
  ]);
  return testModel(
    {
      name: 'cnn',
      nodes: [
        node('conv', 'Conv', ['x', 'w', 'cb'], ['c'], { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) }),
        node('bn', 'BatchNormalization', ['c', 'g', 'b', 'mu', 'var'], ['n'], { epsilon: aFloat(1e-3) }),
        node('relu', 'Relu', ['n'], ['a']),
        node('pool', 'MaxPool', ['a'], ['p'], { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) }),
        node('gap', 'GlobalAveragePool', ['p'], ['q']),
        node('flat', 'Flatten', ['q'], ['f']),
        node('fc', 'Gemm', ['f', 'fw', 'fb'], ['y'], { transB: aInt(1) }),
      ],
      inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [1, 3, 17, 16] }],
      outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [1, 5] }],
      initializers: init,
    },
    opset,
  );
}

async function run(m: Model, x: Float32Array, dims: number[], out: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  try {
    return (await s.run({ x: new ort.Tensor('float32', x, dims) }))[out].data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('shape inference', () => {
  it('static shapes through conv/pool/gemm', () => {
    const s = inferShapes(smallCnn());
    expect(s.get('c')!.shape).toEqual([1, 4, 9, 8]);
    expect(s.get('p')!.shape).toEqual([1, 4, 5, 4]);
    expect(s.get('f')!.shape).toEqual([1, 4]);
    expect(s.get('y')!.shape).toEqual([1, 5]);
  });
  it('symbolic N/H/W stay symbolic, same-padded stride-1 keeps the symbol', () => {
    const m = smallCnn();
    m.graph.nodes[0].attrs.strides = aInts([1, 1]);
    m.graph.inputs[0].shape = ['N', 3, 'H', 'W'];
    const s = inferShapes(m);
    expect(s.get('c')!.shape).toEqual(['N', 4, 'H', 'W']);
    expect(typeof s.get('p')!.shape[2]).toBe('string');
    expect(s.get('q')!.shape).toEqual(['N', 4, 1, 1]);
    expect(s.get('y')!.shape).toEqual(['N', 5]);
  });
});

describe('shape chains', () => {
  it('Reshape to a shape computed from Shape → Gather → Unsqueeze → Concat (PyTorch view(x.size(0), -1))', async () => {
    const m = smallCnn();
    m.graph.inputs[0].shape = ['N', 3, 17, 16];
    m.graph.initializers.set('i0', { name: 'i0', dataType: DT.INT64, dims: [], data: BigInt64Array.of(0n) });
    m.graph.initializers.set('ax', { name: 'ax', dataType: DT.INT64, dims: [1], data: BigInt64Array.of(0n) });
    m.graph.initializers.set('m1', { name: 'm1', dataType: DT.INT64, dims: [1], data: BigInt64Array.of(-1n) });
    const flat = m.graph.nodes.findIndex((n) => n.opType === 'Flatten');
    m.graph.nodes.splice(
      flat,
      1,
      node('shape', 'Shape', ['q'], ['qs']),
      node('g0', 'Gather', ['qs', 'i0'], ['n0']),
      node('u0', 'Unsqueeze', ['n0', 'ax'], ['n1']),
      node('cat', 'Concat', ['n1', 'm1'], ['tgt'], { axis: aInt(0) }),
      node('view', 'Reshape', ['q', 'tgt'], ['f']),
    );
    const s = inferShapes(m);
    expect(s.get('f')!.shape).toEqual(['N', 4]);
    const g = buildGradGraph(m, { objectives: [{ objective: { kind: 'class', tensor: 'y', index: 2 } }] });
    expect(g.dynamic).toBe(true);
    const sess = await ort.InferenceSession.create(encodeModel(g.model));
    const out = await sess.run({ x: new ort.Tensor('float32', Float32Array.from(rand(2 * 3 * 9 * 11)), [2, 3, 9, 11]) });
    expect(out['grad:input'].dims).toEqual([2, 3, 9, 11]);
    await sess.release();
  });
});

describe('surgery', () => {
  const dims = [1, 3, 17, 16];
  const x = Float32Array.from(rand(3 * 17 * 16));

  it('truncates at an intermediate tensor and drops the rest', async () => {
    const t = truncateAt(smallCnn(), ['a']);
    expect(t.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
    expect(t.graph.initializers.has('fw')).toBe(false);
    expect((await run(t, x, dims, 'a')).length).toBe(4 * 9 * 8);
  });

  it('folds BatchNormalization into the Conv exactly (to float rounding)', async () => {
    const m = smallCnn();
    const before = await run(m, x, dims, 'y');
    const folded = truncateAt(m, ['y']);
    expect(foldBatchNorm(folded)).toBe(1);
    expect(folded.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const after = await run(folded, x, dims, 'y');
    for (let i = 0; i < 5; i++) expect(after[i]).toBeCloseTo(before[i], 5);
  });

  it('replaces MaxPool by AveragePool', async () => {
    const m = smallCnn();
    expect(maxPoolToAverage(m)).toBe(1);
    expect(m.graph.nodes.find((n) => n.name === 'pool')!.opType).toBe('AveragePool');
    expect((await run(m, x, dims, 'y')).length).toBe(5);
  });

  it('makes the spatial size dynamic when the graph allows it, and refuses when a Gemm pins it', async () => {
    const m = smallCnn();
    expect(makeSpatialDynamic(m)).toEqual({ dynamic: true });
    expect(m.graph.inputs[0].shape).toEqual(['N', 3, 'H', 'W']);
    expect((await run(m, Float32Array.from(rand(3 * 30 * 21)), [1, 3, 30, 21], 'y')).length).toBe(5);
    const pinned = smallCnn();
    pinned.graph.nodes.splice(4, 1, node('flat0', 'Flatten', ['p'], ['q']));
    pinned.graph.nodes[5].inputs = ['q'];
    pinned.graph.nodes[6].inputs = ['f', 'fw2', 'fb'];
    pinned.graph.initializers.set('fw2', floatTensor('fw2', [5, 80], rand(400)));
    const res = makeSpatialDynamic(pinned);
    expect(res.dynamic).toBe(false);
    expect(pinned.graph.inputs[0].shape).toEqual([1, 3, 17, 16]);
  });

  it('upgrades an opset-10 graph (Clip/Squeeze/Softmax attribute forms) to 17 with the same outputs', async () => {
    const m: Model = {
      irVersion: 5,
      opsetImports: [{ domain: '', version: 10 }],
      producerName: 'old',
      baseDir: null,
      graph: {
        name: 'old',
        nodes: [
          node('clip', 'Clip', ['x'], ['c'], { min: aFloat(-0.5), max: aFloat(0.5) }),
          node('sm', 'Softmax', ['c'], ['s'], { axis: aInt(1) }),
          node('red', 'ReduceSum', ['s'], ['r'], { axes: aInts([2]), keepdims: aInt(1) }),
          node('sq', 'Squeeze', ['r'], ['y'], { axes: aInts([2]) }),
        ],
        inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [2, 3, 4] }],
        outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [2, 3] }],
        initializers: new Map(),
        valueInfo: new Map(),
      },
    };
    const xin = Float32Array.from(rand(24));
    const want = await run(m, xin, [2, 3, 4], 'y');
    const up = upgradeOpset(m, 17);
    expect(up.opsetImports[0].version).toBe(17);
    const got = await run(up, xin, [2, 3, 4], 'y');
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 6);
  });
});
