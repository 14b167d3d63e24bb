// Optimisers and image helpers: convergence on known problems, determinism, exact inverses.
import { describe, expect, it } from 'vitest';
import { Adam } from '../../../main/optim/adam.js';
import { clampPixels, normalizeGradient, octaveSizes, resizeBilinear, roll, validRange, jitter } from '../../../main/optim/image-ops.js';
import { lbfgsMinimize, type LossAndGrad } from '../../../main/optim/lbfgs.js';
import { seededRng } from '../../../main/optim/rng.js';

// Rosenbrock in n/2 pairs: minimum 0 at all ones.
const rosen: LossAndGrad = async (x) => {
  let loss = 0;
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += 2) {
    const a = x[i];
    const b = x[i + 1];
    loss += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    g[i] = -400 * a * (b - a * a) - 2 * (1 - a);
    g[i + 1] = 200 * (b - a * a);
  }
  return { loss, grad: g };
};

describe('L-BFGS', () => {
  it('minimises Rosenbrock to the optimum', async () => {
    const x = Float32Array.from([-1.2, 1, -1.2, 1, 0.5, -0.3]);
    const r = await lbfgsMinimize(rosen, x, { history: 7, maxIter: 300 });
    expect(r.loss).toBeLessThan(1e-6);
    for (const v of x) expect(v).toBeCloseTo(1, 2);
  });

  it('a quadratic converges in few iterations with history ≥ dimension', async () => {
    const diag = [1, 10, 100, 3];
    const f: LossAndGrad = async (x) => ({
      loss: x.reduce((s, v, i) => s + 0.5 * diag[i] * v * v, 0),
      grad: Array.from(x, (v, i) => diag[i] * v),
    });
    const x = Float32Array.from([1, 1, 1, 1]);
    const r = await lbfgsMinimize(f, x, { history: 5, maxIter: 50, gradTol: 1e-5 });
    expect(r.iterations).toBeLessThan(25);
    expect(r.loss).toBeLessThan(1e-9);
  });

  it('respects a projection (pixel clamp)', async () => {
    const f: LossAndGrad = async (x) => ({ loss: x.reduce((s, v) => s + (v - 5) ** 2, 0), grad: Array.from(x, (v) => 2 * (v - 5)) });
    const x = new Float32Array(4);
    await lbfgsMinimize(f, x, { maxIter: 30, project: (t) => t.forEach((v, i) => (t[i] = Math.min(v, 1))) });
    for (const v of x) expect(v).toBeLessThanOrEqual(1);
    expect(x[0]).toBeCloseTo(1, 3);
  });
});

describe('Adam', () => {
  it('descends a quadratic, and ascends with maximize', () => {
    const x = Float32Array.from([3, -2]);
    const adam = new Adam(2, { lr: 0.1 });
    for (let i = 0; i < 500; i++) adam.step(x, [2 * x[0], 2 * x[1]]);
    expect(Math.abs(x[0]) + Math.abs(x[1])).toBeLessThan(0.05);
    const y = Float32Array.from([1]);
    const up = new Adam(1, { lr: 0.1, maximize: true });
    for (let i = 0; i < 10; i++) up.step(y, [1]);
    expect(y[0]).toBeCloseTo(2, 5);
  });
});

describe('seeded RNG', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const c = seededRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    const r = seededRng(1);
    const ns = Array.from({ length: 4000 }, () => r.normal());
    const mean = ns.reduce((s, v) => s + v, 0) / ns.length;
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(jitter(seededRng(9), 3)).toEqual(jitter(seededRng(9), 3));
  });
});

describe('image ops', () => {
  const dims = [1, 2, 3, 4];
  const x = Float32Array.from({ length: 24 }, (_, i) => i);
  it('roll is undone by the opposite roll and moves pixels as documented', () => {
    const r = roll(x, dims, 1, -1);
    expect(r[1 * 4 + 0]).toBe(x[0 * 4 + 1]);
    expect(Array.from(roll(r, dims, -1, 1))).toEqual(Array.from(x));
  });
  it('resize keeps constants and is the identity at the same size', () => {
    expect(Array.from(resizeBilinear(x, dims, 3, 4).data)).toEqual(Array.from(x));
    const ones = new Float32Array(24).fill(2);
    const up = resizeBilinear(ones, dims, 7, 5);
    expect(up.dims).toEqual([1, 2, 7, 5]);
    for (const v of up.data) expect(v).toBeCloseTo(2, 6);
  });
  it('clamps to the model range per channel', () => {
    const range = validRange(1 / 255, [0.485, 0.456], [0.229, 0.224]);
    const t = Float32Array.from({ length: 24 }, (_, i) => (i % 2 ? 100 : -100));
    clampPixels(t, dims, range);
    expect(t[0]).toBeCloseTo(range.lo[0], 6);
    expect(t[1]).toBeCloseTo(range.hi[0], 6);
    expect(t[12]).toBeCloseTo(range.lo[1], 6);
  });
  it('normalises gradients and lists octave sizes small to large', () => {
    const g = normalizeGradient(Float32Array.from([1, -3]));
    expect((Math.abs(g[0]) + Math.abs(g[1])) / 2).toBeCloseTo(1, 6);
    expect(octaveSizes(224, 300, 3, 1.4)).toEqual([
      [114, 153],
      [160, 214],
      [224, 300],
    ]);
  });
});
