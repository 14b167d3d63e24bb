// Gemm/MatMul, data-movement and reduction backward rules vs central finite differences, plus a
// deliberately broken rule that the same checker must catch.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { RULES } from '../../../main/onnx/grad/differentiate.js';
import { aFloat, aInt } from '../../../main/onnx/ir.js';
import { FD_CASES } from './fd-cases.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs ?? {})} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
}

describe('Gemm and MatMul', () => {
  const cases = FD_CASES.linear;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('data movement', () => {
  const cases = FD_CASES.movement;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('reductions', () => {
  const cases = FD_CASES.reductions;
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
