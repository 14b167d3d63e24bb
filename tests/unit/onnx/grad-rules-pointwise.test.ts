// Pointwise, broadcasting and softmax backward rules vs central finite differences.
import { describe, expect, it } from 'vitest';
import { FD_CASES } from './fd-cases.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs ?? {})} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
}

describe('activations', () => {
  const cases = FD_CASES.activations;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('broadcasting arithmetic', () => {
  const cases = FD_CASES.arithmetic;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('softmax family', () => {
  for (const [name, c] of FD_CASES.softmax) it(name, () => expectGrad(c));
});
