// Initialisers: fans and gains as torch.nn.init computes them, and each scheme's empirical spread on a
// large tensor within a few percent of its formula.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../../main/optim/rng.js';
import {
  calculateGain,
  fans,
  INIT_SCHEMES,
  kaimingNormal,
  kaimingUniform,
  xavierNormal,
  xavierUniform,
} from '../../../../main/train/models/init.js';

function stats(a: Float32Array) {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  return { mean, std, maxAbs: a.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
}

describe('torch.nn.init conventions', () => {
  it('fans: conv [out, in, kh, kw] and linear [out, in]', () => {
    expect(fans([64, 3, 7, 7])).toEqual({ fanIn: 147, fanOut: 3136 });
    expect(fans([10, 84])).toEqual({ fanIn: 84, fanOut: 10 });
    expect(() => fans([10])).toThrow();
  });

  it('gains', () => {
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(calculateGain('linear')).toBe(1);
  });
});

describe('empirical spread on a [256, 128, 3, 3] weight (fan_in 1152, fan_out 2304)', () => {
  const dims = [256, 128, 3, 3];
  const [fi, fo] = [1152, 2304];
  const cases: [string, (r: ReturnType<typeof seededRng>) => Float32Array, number, number | null][] = [
    ['xavier uniform', (r) => xavierUniform(dims, r), Math.sqrt(2 / (fi + fo)), Math.sqrt(6 / (fi + fo))],
    ['xavier normal', (r) => xavierNormal(dims, r), Math.sqrt(2 / (fi + fo)), null],
    ['kaiming uniform (relu, fan_in)', (r) => kaimingUniform(dims, r, { nonlinearity: 'relu' }), Math.sqrt(2 / fi), Math.sqrt(6 / fi)],
    ['kaiming normal (relu, fan_out)', (r) => kaimingNormal(dims, r, { nonlinearity: 'relu', mode: 'fan_out' }), Math.sqrt(2 / fo), null],
    ['he scheme', (r) => INIT_SCHEMES.he.weight(dims, r), Math.sqrt(2 / fi), null],
    ['torch default weight U(±1/√fan_in)', (r) => INIT_SCHEMES['torch-default'].weight(dims, r), 1 / Math.sqrt(3 * fi), 1 / Math.sqrt(fi)],
    [
      'torch default bias U(±1/√fan_in)',
      (r) => INIT_SCHEMES['torch-default'].bias([4096, 128, 3, 3], r),
      1 / Math.sqrt(3 * fi),
      1 / Math.sqrt(fi),
    ],
  ];
  for (const [name, make, std, bound] of cases)
    it(name, () => {
      const s = stats(make(seededRng(1)));
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.03);
      expect(Math.abs(s.mean)).toBeLessThan(0.03 * std);
      if (bound !== null) {
        expect(s.maxAbs).toBeLessThanOrEqual(bound);
        expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
      }
    });

  it('seeded: same seed, same values', () => {
    expect(xavierNormal([8, 4], seededRng(3))).toEqual(xavierNormal([8, 4], seededRng(3)));
    expect(xavierNormal([8, 4], seededRng(3))).not.toEqual(xavierNormal([8, 4], seededRng(4)));
  });
});
