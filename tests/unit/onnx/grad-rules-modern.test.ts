// Backward rules of the ops modern classifiers export (GELU, HardSwish, LayerNorm, Resize, the index ops of
// vision transformers) vs central finite differences, and broken variants the same checker must catch.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { RULES } from '../../../main/onnx/grad/differentiate.js';
import { FD_CASES } from './fd-cases.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs ?? {})} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
}

for (const family of ['coverage', 'modernActivations', 'selection', 'layerNorms', 'resize'] as const) {
  describe(family, () => {
    for (const [name, c] of FD_CASES[family]) it(name, () => expectGrad(c));
  });
}

const caseOf = (name: string): OpCase => {
  const hit = Object.values(FD_CASES)
    .flat()
    .find(([n]) => n === name);
  if (!hit) throw new Error(`no case "${name}"`);
  return hit[1];
};

/** Fails the same case with a broken rule (and passes it with the real one, so the case itself is sound). */
async function expectCaught(caseName: string, op: string, broken: Rule) {
  const c = caseOf(caseName);
  const bad = await gradCheck(c, { rules: { [op]: broken } });
  expect(bad.ok, `${op} broken rule relErr ${bad.relErr}`).toBe(false);
  expect((await gradCheck(c)).ok).toBe(true);
}

describe('the checker catches broken rules', () => {
  it('LayerNormalization without the paths through mean and variance', () =>
    expectCaught('LayerNormalization axis 1 of 4-D', 'LayerNormalization', (c) => {
      const out = RULES.LayerNormalization(c);
      // δx = δy·γ·s only: what a rule that treats the statistics as constants gives.
      const [x, scale] = c.node.inputs;
      const b = c.b;
      const mu = b.op('ReduceMean', [x], { axes: { type: 'ints', value: [1, 2, 3] } });
      const d = b.sub(x, mu);
      const v = b.op('ReduceMean', [b.mul(d, d)], { axes: { type: 'ints', value: [1, 2, 3] } });
      const s = b.op('Reciprocal', [b.op('Sqrt', [b.add(v, b.constF([1e-5]))])]);
      out[0] = b.mul(b.mul(c.gy[0]!, scale), s);
      return out;
    }));
  it('Erf with the wrong constant (1 instead of 2/√π)', () =>
    expectCaught('Erf', 'Erf', (c) => [c.b.mul(c.gy[0]!, c.b.op('Exp', [c.b.op('Neg', [c.b.mul(c.node.inputs[0], c.node.inputs[0])])]))]));
  it('HardSwish given HardSigmoid’s value as its derivative (product rule forgotten)', () =>
    expectCaught('HardSwish across both kinks', 'HardSwish', (c) => [
      c.b.mul(c.gy[0]!, c.b.op('HardSigmoid', [c.node.inputs[0]], { alpha: { type: 'float', value: 1 / 6 } })),
    ]));
  it('Max passing δ to every input', () => expectCaught('Min of two', 'Min', (c) => c.node.inputs.map(() => c.gy[0])));
  it('ScatterND leaving δ on the overwritten rows of data', () =>
    expectCaught('ScatterND rows', 'ScatterND', (c) => {
      const out = RULES.ScatterND(c);
      out[0] = c.gy[0];
      return out;
    }));
  it('Resize transposed by resizing δ back to the input size (not the adjoint)', () =>
    expectCaught('Resize linear ×2 (half_pixel)', 'Resize', (c) => {
      const b = c.b;
      const sizes = b.shape(c.node.inputs[0]);
      return [b.op('Resize', [c.gy[0]!, '', '', sizes], { mode: { type: 'string', value: 'linear' } }), null, null, null];
    }));
  it('GroupNormalization normalising per channel instead of per group', () =>
    expectCaught('GroupNormalization per-group scale (opset 18)', 'GroupNormalization', (c) =>
      RULES.InstanceNormalization({
        ...c,
        node: { ...c.node, inputs: [c.node.inputs[0], c.b.constF([1, 1, 1, 1], [4]), c.b.constF([0, 0, 0, 0], [4])] },
      }).map((d, i) => (i === 0 ? c.b.mul(d!, c.b.constF([1])) : null)),
    ));
});
