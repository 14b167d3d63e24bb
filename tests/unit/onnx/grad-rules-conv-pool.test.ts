// Conv, pooling, BN and LRN backward rules vs central finite differences on odd shapes and attribute combos.
import { describe, expect, it } from 'vitest';
import { FD_CASES } from './fd-cases.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  console.log(`${c.op}: ${r.precision} relErr=${r.relErr.toExponential(2)} n=${r.checked}`);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs)} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
  return r;
}

describe('Conv backward', () => {
  const cases = FD_CASES.conv;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('pooling backward', () => {
  const cases = FD_CASES.pooling;
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('normalisation backward', () => {
  for (const [name, c] of FD_CASES.normalisation) it(name, () => expectGrad(c));
});
