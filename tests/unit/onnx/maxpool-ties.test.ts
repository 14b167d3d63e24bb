// MaxPool's gradient on ties: PyTorch (max_pool2d_with_indices) sends δy to the first maximum of each window
// in scan order (row by row), so a flat region (Fashion-MNIST's background after a conv) passes δ to one pixel,
// not to all four. Finite differences cannot see this (a tie is a kink), so the reference here is that rule,
// checked on both of the engine's paths: disjoint windows (MaxUnpool of the forward's argmax indices) and the
// scatter-add (ceil_mode forces it). A rule that spreads δ over every tied maximum fails.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { differentiate } from '../../../main/onnx/grad/differentiate.js';
import { aInt, aInts, aString, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { inferShapes } from '../../../main/onnx/shapes.js';
import { rng } from './gradcheck.js';
import { node, testModel, value } from './graphs.js';

interface Built {
  model: Model;
  x: Float32Array;
  r: Float32Array;
  grad: string;
}

/** loss = Σ MaxPool(x)·R on x with values from {0, 1, 2} (ties everywhere) and a constant first row of windows. */
function build(shape: number[], k: number, attrs: Record<string, ReturnType<typeof aInt>> = {}, rules?: Record<string, Rule>): Built {
  const r = rng(11);
  const [n, c, h, w] = shape;
  const x = Float32Array.from({ length: n * c * h * w }, (_, i) => (Math.floor(i / w) % h < k ? 1 : Math.floor(3 * r())));
  const ho = Math.floor(h / k);
  const wo = Math.floor(w / k);
  const R = Float32Array.from({ length: n * c * ho * wo }, () => 2 * r() - 1);
  const model = testModel({
    nodes: [
      node('pool', 'MaxPool', ['x'], ['y'], { kernel_shape: aInts([k, k]), strides: aInts([k, k]), ...attrs }),
      node('m', 'Mul', ['y', 'R'], ['p']),
      node('s', 'ReduceSum', ['p'], ['loss'], { keepdims: aInt(0) }),
    ],
    inputs: [value('x', shape)],
    outputs: [value('loss', [])],
    initializers: [floatTensor('R', [n, c, ho, wo], R)],
  });
  const grads = differentiate(model, inferShapes(model), { loss: 'loss', wrt: ['x'], rules });
  const grad = grads.get('x')!;
  model.graph.outputs.push(value(grad));
  return { model, x, r: R, grad };
}

async function gradOf(b: Built): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(encodeModel(b.model), { intraOpNumThreads: 1 });
  const out = await s.run({ x: new ort.Tensor('float32', b.x, b.model.graph.inputs[0].shape as number[]) });
  await s.release();
  return out[b.grad].data as Float32Array;
}

/** PyTorch's rule: each window's δ goes to its first maximum in scan order. */
function firstMaxGrad(b: Built, shape: number[], k: number): Float32Array {
  const [n, c, h, w] = shape;
  const ho = Math.floor(h / k);
  const wo = Math.floor(w / k);
  const out = new Float32Array(b.x.length);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let best = -1;
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const at = (p * h + oy * k + i) * w + ox * k + j;
            if (best < 0 || b.x[at] > b.x[best]) best = at;
          }
        out[best] += b.r[(p * ho + oy) * wo + ox];
      }
  return out;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const ops = (m: Model) => m.graph.nodes.map((n) => n.opType);

describe('MaxPool backward on tied maxima', () => {
  for (const [shape, k] of [
    [[2, 3, 6, 8], 2],
    [[1, 2, 9, 6], 3],
  ] as [number[], number][]) {
    it(`${k}×${k}/${k} windows tiling ${shape.join('×')}: δ goes to the first maximum (MaxUnpool of the indices)`, async () => {
      const b = build(shape, k);
      expect(ops(b.model)).toContain('MaxUnpool');
      expect(maxAbsDiff(await gradOf(b), firstMaxGrad(b, shape, k))).toBeLessThan(1e-6);
    });
  }

  it('the scatter-add path (ceil_mode) agrees on the same ties', async () => {
    const shape = [2, 3, 6, 8];
    const b = build(shape, 2, { ceil_mode: aInt(1) });
    expect(ops(b.model)).not.toContain('MaxUnpool');
    expect(maxAbsDiff(await gradOf(b), firstMaxGrad(b, shape, 2))).toBeLessThan(1e-6);
  });

  it('a rule that gives δ to every tied maximum fails the check', async () => {
    const spreadOnTies: Rule = ({ b, node: n, gy }) => {
      const x = n.inputs[0];
      const windows = b.reshape(b.op('SpaceToDepth', [x], { blocksize: aInt(2) }), b.constI64([2, 4, 3, 3, 4]));
      const tied = b.op('Equal', [windows, b.op('Unsqueeze', [n.outputs[0], b.constI64([1])])]);
      const spread = b.op('Where', [tied, b.op('Unsqueeze', [gy[0]!, b.constI64([1])]), b.constF([0])]);
      return [b.op('DepthToSpace', [b.reshape(spread, b.constI64([2, 12, 3, 4]))], { blocksize: aInt(2), mode: aString('DCR') })];
    };
    const shape = [2, 3, 6, 8];
    const b = build(shape, 2, {}, { MaxPool: spreadOnTies });
    expect(maxAbsDiff(await gradOf(b), firstMaxGrad(b, shape, 2))).toBeGreaterThan(0.1);
  });
});
