// Gemm/MatMul, data-movement and reduction backward rules vs central finite differences, plus a
// deliberately broken rule that the same checker must catch.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { RULES } from '../../../main/onnx/grad/differentiate.js';
import { aFloat, aInt, aInts, aString } from '../../../main/onnx/ir.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs ?? {})} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
}

describe('Gemm and MatMul', () => {
  const cases: [string, OpCase][] = [
    ['Gemm plain + bias row', { op: 'Gemm', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }, { shape: [5] }] }],
    [
      'Gemm transA',
      {
        op: 'Gemm',
        inputs: [{ shape: [4, 3] }, { shape: [4, 5] }, { shape: [3, 5] }],
        attrs: { transA: aInt(1), alpha: aFloat(0.7), beta: aFloat(1.3) },
      },
    ],
    [
      'Gemm transB (classifier)',
      { op: 'Gemm', inputs: [{ shape: [2, 4] }, { shape: [5, 4] }, { shape: [1, 5] }], attrs: { transB: aInt(1) } },
    ],
    [
      'Gemm transA transB scalar C',
      {
        op: 'Gemm',
        inputs: [{ shape: [4, 3] }, { shape: [5, 4] }, { shape: [] }],
        attrs: { transA: aInt(1), transB: aInt(1), alpha: aFloat(-0.5) },
      },
    ],
    ['MatMul 2-D', { op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }] }],
    ['MatMul batched broadcast', { op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] }],
    ['MatMul batch broadcast both', { op: 'MatMul', inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }] }],
    ['MatMul matrix·vector', { op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4] }] }],
    ['MatMul vector·matrix', { op: 'MatMul', inputs: [{ shape: [4] }, { shape: [2, 4, 3] }] }],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('data movement', () => {
  const cases: [string, OpCase][] = [
    [
      'Concat axis 1',
      { op: 'Concat', inputs: [{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }, { shape: [2, 2, 2] }], attrs: { axis: aInt(1) } },
    ],
    ['Concat axis -1', { op: 'Concat', inputs: [{ shape: [2, 3] }, { shape: [2, 2] }], attrs: { axis: aInt(-1) } }],
    [
      'Split sizes, both outputs',
      { op: 'Split', inputs: [{ shape: [2, 5, 3] }, { shape: [2], int64: [2, 3] }], attrs: { axis: aInt(1) }, outputs: 2 },
    ],
    ['Split equal 3 ways', { op: 'Split', inputs: [{ shape: [6, 2] }], attrs: { axis: aInt(0) }, outputs: 3 }],
    [
      'Slice step 2 negative start',
      {
        op: 'Slice',
        inputs: [
          { shape: [3, 7] },
          { shape: [2], int64: [0, -6] },
          { shape: [2], int64: [2, 7] },
          { shape: [2], int64: [0, 1] },
          { shape: [2], int64: [1, 2] },
        ],
      },
    ],
    [
      'Slice reversed',
      {
        op: 'Slice',
        inputs: [
          { shape: [5, 4] },
          { shape: [1], int64: [-1] },
          { shape: [1], int64: [-1000] },
          { shape: [1], int64: [0] },
          { shape: [1], int64: [-2] },
        ],
      },
    ],
    ['Flatten axis 2', { op: 'Flatten', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: aInt(2) } }],
    ['Reshape with -1 and 0', { op: 'Reshape', inputs: [{ shape: [2, 3, 4] }, { shape: [3], int64: [0, -1, 2] }] }],
    ['Transpose perm', { op: 'Transpose', inputs: [{ shape: [2, 3, 4] }], attrs: { perm: aInts([2, 0, 1]) } }],
    ['Transpose default (reverse)', { op: 'Transpose', inputs: [{ shape: [2, 3, 4] }] }],
    ['Squeeze', { op: 'Squeeze', inputs: [{ shape: [2, 1, 3, 1] }, { shape: [2], int64: [1, -1] }] }],
    ['Unsqueeze', { op: 'Unsqueeze', inputs: [{ shape: [2, 3] }, { shape: [2], int64: [0, 3] }] }],
    ['Pad constant', { op: 'Pad', inputs: [{ shape: [1, 2, 3, 3] }, { shape: [8], int64: [0, 0, 1, 2, 0, 1, 0, 1] }] }],
    [
      'Pad reflect',
      {
        op: 'Pad',
        inputs: [{ shape: [1, 1, 4, 5] }, { shape: [8], int64: [0, 0, 2, 1, 0, 0, 1, 3] }],
        attrs: { mode: aString('reflect') },
      },
    ],
    [
      'Pad edge',
      { op: 'Pad', inputs: [{ shape: [1, 2, 3, 3] }, { shape: [8], int64: [0, 0, 1, 1, 0, 0, 2, 0] }], attrs: { mode: aString('edge') } },
    ],
    [
      'Gather axis 1 with repeats',
      { op: 'Gather', inputs: [{ shape: [2, 4, 3] }, { shape: [3], int64: [3, 0, 3] }], attrs: { axis: aInt(1) } },
    ],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('reductions', () => {
  const cases: [string, OpCase][] = [
    ['ReduceSum axes input keepdims', { op: 'ReduceSum', inputs: [{ shape: [2, 3, 4] }, { shape: [2], int64: [0, 2] }] }],
    ['ReduceSum all, keepdims 0', { op: 'ReduceSum', inputs: [{ shape: [2, 3, 4] }], attrs: { keepdims: aInt(0) } }],
    [
      'ReduceMean axes attr keepdims 0',
      { op: 'ReduceMean', inputs: [{ shape: [2, 3, 5] }], attrs: { axes: aInts([-1]), keepdims: aInt(0) } },
    ],
    ['ReduceMean spatial', { op: 'ReduceMean', inputs: [{ shape: [2, 3, 3, 2] }], attrs: { axes: aInts([2, 3]) } }],
    ['ReduceSumSquare', { op: 'ReduceSumSquare', inputs: [{ shape: [3, 4] }], attrs: { axes: aInts([1]), keepdims: aInt(0) } }],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('the checker catches broken rules', () => {
  // Gemm's δB without the transpose back: shapes still line up when B is square, so only values differ.
  const brokenGemm: Rule = (c) => {
    const out = RULES.Gemm(c);
    const [A] = c.node.inputs;
    out[1] = c.b.op('Gemm', [A, c.gy[0]!], { transA: aInt(0), transB: aInt(0) });
    return out;
  };
  const dropTranspose: Rule = (c) => [c.gy[0]!];

  it('a Gemm rule that forgets transA fails', async () => {
    const r = await gradCheck({ op: 'Gemm', inputs: [{ shape: [4, 4] }, { shape: [4, 4] }] }, { rules: { Gemm: brokenGemm } });
    expect(r.ok).toBe(false);
    expect(r.relErr).toBeGreaterThan(0.05);
  });
  it('a Transpose rule that drops the inverse permutation fails', async () => {
    const r = await gradCheck({ op: 'Transpose', inputs: [{ shape: [3, 3] }] }, { rules: { Transpose: dropTranspose } });
    expect(r.ok).toBe(false);
  });
  it('a LeakyRelu rule with the wrong slope fails', async () => {
    const wrongSlope: Rule = (c) => RULES.Relu(c);
    const r = await gradCheck(
      { op: 'LeakyRelu', inputs: [{ shape: [3, 4], data: 'spaced' }], attrs: { alpha: aFloat(0.2) } },
      { rules: { LeakyRelu: wrongSlope } },
    );
    expect(r.ok).toBe(false);
  });
  it('the correct rules pass the same cases', async () => {
    expect((await gradCheck({ op: 'Gemm', inputs: [{ shape: [4, 4] }, { shape: [4, 4] }] })).ok).toBe(true);
    expect((await gradCheck({ op: 'Transpose', inputs: [{ shape: [3, 3] }] })).ok).toBe(true);
  });
});
