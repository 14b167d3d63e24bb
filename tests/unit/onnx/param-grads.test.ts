// Conv/Gemm weight and bias gradients (the fine-tuning option of the differentiator) vs central
// differences, per element in float32 with a float64 loss, on a net with a grouped strided conv.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { aInt, aInts, cloneModel, DT, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { rng } from './gradcheck.js';

const r = rng(21);
const rand = (n: number) => Array.from({ length: n }, () => 2 * r() - 1);

function net(): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 't',
    baseDir: null,
    graph: {
      name: 'p',
      nodes: [
        {
          name: 'conv',
          opType: 'Conv',
          domain: '',
          inputs: ['x', 'w', 'b'],
          outputs: ['c'],
          attrs: { group: aInt(2), strides: aInts([2, 1]), pads: aInts([1, 0, 0, 1]), kernel_shape: aInts([3, 2]) },
        },
        { name: 'act', opType: 'Tanh', domain: '', inputs: ['c'], outputs: ['a'], attrs: {} },
        { name: 'flat', opType: 'Flatten', domain: '', inputs: ['a'], outputs: ['f'], attrs: {} },
        { name: 'fc', opType: 'Gemm', domain: '', inputs: ['f', 'fw', 'fb'], outputs: ['y'], attrs: { transB: aInt(1) } },
      ],
      inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [2, 4, 5, 4] }],
      outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [2, 3] }],
      initializers: new Map([
        ['w', floatTensor('w', [4, 2, 3, 2], rand(48))],
        ['b', floatTensor('b', [4], rand(4))],
        [
          'fw',
          floatTensor(
            'fw',
            [3, 32],
            rand(96).map((v) => v * 0.3),
          ),
        ],
        ['fb', floatTensor('fb', [3], rand(3))],
      ]),
      valueInfo: new Map(),
    },
  };
}

describe('parameter gradients', () => {
  it('Conv (grouped, strided, asymmetric pads) and Gemm weights and biases match finite differences', async () => {
    const params = ['w', 'b', 'fw', 'fb'];
    const base = net();
    const x = Float32Array.from(rand(2 * 4 * 5 * 4));
    const spec = { objectives: [{ objective: { kind: 'sumsq' as const, tensor: 'y' } }], params, doubleLoss: true, dynamic: false };
    const g = buildGradGraph(base, spec);
    const s = await ort.InferenceSession.create(encodeModel(g.model));
    const out = await s.run({ x: new ort.Tensor('float32', x, [2, 4, 5, 4]) });
    await s.release();
    const lossWith = async (name: string, i: number, delta: number) => {
      const m = cloneModel(base);
      const t = m.graph.initializers.get(name)!;
      const data = Float32Array.from(t.data as Float32Array);
      data[i] += delta;
      m.graph.initializers.set(name, { ...t, data });
      const gm = buildGradGraph(m, { ...spec, params: [] });
      const ss = await ort.InferenceSession.create(encodeModel(gm.model));
      const l = Number((await ss.run({ x: new ort.Tensor('float32', x, [2, 4, 5, 4]) })).loss.data[0]);
      await ss.release();
      return l;
    };
    for (const p of params) {
      const grad = out[`grad:${p}`].data as Float32Array;
      expect(grad.length).toBe(base.graph.initializers.get(p)!.data.length);
      let maxErr = 0;
      let maxRef = 1e-3;
      const step = Math.max(1, Math.floor(grad.length / 12));
      for (let i = 0; i < grad.length; i += step) {
        const h = 1e-3;
        const fd = ((await lossWith(p, i, h)) - (await lossWith(p, i, -h))) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
        maxRef = Math.max(maxRef, Math.abs(fd));
      }
      expect(maxErr / maxRef, p).toBeLessThan(5e-3);
    }
  });
});
