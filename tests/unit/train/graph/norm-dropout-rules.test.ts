// BatchNormalization (inference: γ, β; training mode: batch statistics) and Dropout (training mode) backward
// rules vs central differences in float64, and broken variants that the same checks must catch.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../../main/onnx/grad/context.js';
import { differentiate } from '../../../../main/onnx/grad/differentiate.js';
import { aFloat, aInt, DT, floatTensor, type Tensor } from '../../../../main/onnx/ir.js';
import { encodeModel } from '../../../../main/onnx/proto.js';
import { inferShapes } from '../../../../main/onnx/shapes.js';
import { gradCheck, rng, type OpCase } from '../../onnx/gradcheck.js';
import { node, testModel } from '../../onnx/graphs.js';
import { fdCheck } from './fd.js';

const bnInputs = (x: number[], wrtParams: boolean): OpCase['inputs'] => {
  const C = x[1];
  return [
    { shape: x },
    { shape: [C], data: 'pos', wrt: wrtParams },
    { shape: [C], wrt: wrtParams },
    { shape: [C], wrt: false },
    { shape: [C], data: 'pos', wrt: false },
  ];
};

describe('BatchNormalization backward', () => {
  it('inference: x, γ and β (running statistics constant)', async () => {
    const r = await gradCheck({ op: 'BatchNormalization', inputs: bnInputs([2, 3, 4, 3], true), attrs: { epsilon: aFloat(1e-3) } });
    expect(r.precision).toBe('double');
    expect(r.relErr).toBeLessThanOrEqual(r.tol);
  });

  it('inference: running statistics that depend on a differentiated tensor are refused, not given no δ', async () => {
    const inputs = bnInputs([2, 3, 2, 2], true);
    inputs[3] = { shape: [3] };
    await expect(gradCheck({ op: 'BatchNormalization', inputs })).rejects.toThrow(/training_mode=1/);
  });

  for (const shape of [
    [3, 2, 4, 3],
    [5, 4],
  ]) {
    it(`training mode [${shape}]: x, γ, β through the batch statistics`, async () => {
      const r = await gradCheck({
        op: 'BatchNormalization',
        inputs: bnInputs(shape, true),
        attrs: { epsilon: aFloat(1e-3), training_mode: aInt(1) },
      });
      expect(r.precision).toBe('double');
      expect(r.relErr).toBeLessThanOrEqual(r.tol);
    });
  }

  it('training mode with running outputs read (momentum 0.9): statistics recomputed, still exact', async () => {
    const r = rng(5);
    const x = Float64Array.from({ length: 2 * 3 * 2 * 2 }, () => 2 * r() - 1);
    const R = floatTensor(
      'R',
      [2, 3, 2, 2],
      Array.from({ length: 24 }, () => 2 * r() - 1),
      DT.DOUBLE,
    );
    const c = (name: string, v: number[]) => floatTensor(name, [3], v, DT.DOUBLE);
    const model = testModel({
      nodes: [
        node('bn', 'BatchNormalization', ['x', 'g', 'b', 'm', 'v'], ['y', 'rm', 'rv'], { training_mode: aInt(1), momentum: aFloat(0.9) }),
        node('mul', 'Mul', ['y', 'R'], ['p']),
        node('sum', 'ReduceSum', ['p'], ['loss'], { keepdims: aInt(0) }),
      ],
      inputs: [{ name: 'x', elemType: DT.DOUBLE, shape: [2, 3, 2, 2] }],
      outputs: [],
      initializers: [R, c('g', [1.5, 0.7, 1.1]), c('b', [0.1, 0, -0.2]), c('m', [0.3, 0.1, 0]), c('v', [2, 1, 1.5])],
    });
    const grads = differentiate(model, inferShapes(model), { loss: 'loss', wrt: ['x'] });
    model.graph.outputs = [
      { name: 'loss', elemType: DT.DOUBLE, shape: [] },
      { name: 'rm', elemType: DT.DOUBLE },
      { name: grads.get('x')!, elemType: DT.DOUBLE },
    ];
    const res = await fdCheck(model, { x: { data: x, dims: [2, 3, 2, 2] } }, { x: grads.get('x')! });
    expect(res.worst).toBeLessThan(1e-6);
  });

  it('a training-mode rule without the mean term (the inference rule, or k·δy + a·(x − μ)) fails', async () => {
    const base = { op: 'BatchNormalization', inputs: bnInputs([3, 2, 2, 2], true), attrs: { training_mode: aInt(1) } };
    // δx as if μ_B were a constant: k·δy + a·(x − μ_B) (the σ²_B path kept, the μ_B path dropped).
    const noMeanTerm: Rule = (c) => {
      const { b, node } = c;
      const [x, gamma] = node.inputs;
      const g = c.gy[0]!;
      // ORT wants all three outputs in training mode.
      node.outputs[1] ||= b.fresh('m');
      node.outputs[2] ||= b.fresh('v');
      const ax = { axes: { type: 'ints' as const, value: [0, 2, 3] }, keepdims: aInt(0) };
      const mean = b.op('ReduceMean', [x], ax);
      const pc = (t: string) => b.reshape(t, b.constI64([-1, 1, 1]));
      const d = b.sub(x, pc(mean));
      const s = b.op('Reciprocal', [b.op('Sqrt', [b.add(b.op('ReduceMean', [b.mul(d, d)], ax), b.constF([1e-5]))])]);
      const k = b.mul(gamma, s);
      const dGamma = b.mul(b.reduceSum(b.mul(g, d), [0, 2, 3], false), s);
      const a = b.op('Neg', [b.mul(b.mul(k, s), b.div(dGamma, b.constF([12])))]);
      return [b.add(b.mul(g, pc(k)), b.mul(d, pc(a))), dGamma, b.reduceSum(g, [0, 2, 3], false), null, null];
    };
    const broken = await gradCheck(base, { rules: { BatchNormalization: noMeanTerm } });
    expect(broken.relErr).toBeGreaterThan(1e-2);
    const ok = await gradCheck(base);
    expect(ok.relErr).toBeLessThanOrEqual(ok.tol);
  });
});

/** Dropout in training mode (ORT's own mask), loss = 4·Σ y: δx must be 4/(1 − p) where kept, 0 elsewhere. */
async function dropoutGrad(rules?: Record<string, Rule>): Promise<{ grad: Float32Array; mask: Uint8Array }> {
  const model = testModel({
    nodes: [
      node('drop', 'Dropout', ['x', 'ratio', 'train'], ['y']),
      node('sum', 'ReduceSum', ['y'], ['s'], { keepdims: aInt(0) }),
      node('mul', 'Mul', ['s', 'four'], ['loss']),
    ],
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [4, 50] }],
    outputs: [],
    initializers: [
      floatTensor('ratio', [], [0.5]),
      floatTensor('four', [], [4]),
      { name: 'train', dataType: DT.BOOL, dims: [], data: Uint8Array.of(1) } satisfies Tensor,
    ],
  });
  const grads = differentiate(model, inferShapes(model), { loss: 'loss', wrt: ['x'], rules });
  const drop = model.graph.nodes.find((n) => n.name === 'drop')!;
  if (!drop.outputs[1]) drop.outputs[1] = 'mask_for_test';
  model.graph.outputs = [
    { name: grads.get('x')!, elemType: DT.FLOAT },
    { name: drop.outputs[1], elemType: DT.BOOL },
  ];
  const s = await ort.InferenceSession.create(encodeModel(model));
  const out = await s.run({ x: new ort.Tensor('float32', new Float32Array(200).fill(1), [4, 50]) });
  await s.release();
  return { grad: out[grads.get('x')!].data as Float32Array, mask: out[drop.outputs[1]].data as Uint8Array };
}

describe('Dropout backward', () => {
  it('training mode: δx = δy·mask/(1 − p), i.e. 8 where kept and 0 where dropped for δy = 4, p = 0.5', async () => {
    const { grad, mask } = await dropoutGrad();
    const kept = [...mask].filter(Boolean).length;
    expect(kept).toBeGreaterThan(50);
    expect(kept).toBeLessThan(150);
    grad.forEach((g, i) => expect(g).toBe(mask[i] ? 8 : 0));
  });

  it('the old pass-through rule (δx = δy = 4 everywhere) fails the same check', async () => {
    const pass: Rule = (c) => [c.gy[0], null, null];
    const { grad, mask } = await dropoutGrad({ Dropout: pass });
    expect(grad.some((g, i) => g !== (mask[i] ? 8 : 0))).toBe(true);
  });

  it('a training_mode that is not a constant is refused', () => {
    const model = testModel({
      nodes: [node('drop', 'Dropout', ['x', 'ratio', 'train'], ['y']), node('sum', 'ReduceSum', ['y'], ['loss'], { keepdims: aInt(0) })],
      inputs: [
        { name: 'x', elemType: DT.FLOAT, shape: [2, 3] },
        { name: 'train', elemType: DT.BOOL, shape: [] },
      ],
      outputs: [],
      initializers: [floatTensor('ratio', [], [0.5])],
    });
    expect(() => differentiate(model, inferShapes(model), { loss: 'loss', wrt: ['x'] })).toThrow(/training_mode must be a constant/);
  });
});
