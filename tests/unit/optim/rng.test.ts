// The seeded generator's bulk Bernoulli fill (dropout masks) makes exactly the draws next() would, in order,
// so a run's masks, and everything drawn after them, are what they were with a draw per unit.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../main/optim/rng';

describe('seededRng.bernoulli', () => {
  it('equals next() < p draw by draw, and leaves the generator where the per-unit draws would', () => {
    for (const [seed, n, p] of [
      [1, 16_384, 0.5],
      [7, 1_000, 0.9],
      [123, 257, 0.1],
      [5, 64, 0],
      [9, 64, 1],
    ] as const) {
      const a = seededRng(seed);
      const b = seededRng(seed);
      a.next(); // not at the start of the stream
      b.next();
      const bulk = new Float32Array(n);
      a.bernoulli(bulk, p);
      const one = Float32Array.from({ length: n }, () => (b.next() < p ? 1 : 0));
      expect(bulk).toEqual(one);
      expect(a.next()).toBe(b.next());
      const kept = bulk.reduce((s, v) => s + v, 0) / n;
      if (n >= 1000) expect(Math.abs(kept - p)).toBeLessThan(0.05);
    }
  });
});
