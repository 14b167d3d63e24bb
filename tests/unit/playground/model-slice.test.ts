// The pieces of "your model's loss" that need no training: filter-normalised directions (Li et al., 2018) on a
// tiny real network, and the bicubic surface the optimisers race on (its gradient against finite differences).
import { describe, expect, it } from 'vitest';
import { filterNormalizedDirection, filterNorms, type SlicedWeight } from '../../../main/playground/directions';
import { gridSurface } from '../../../main/playground/grid-surface';
import { gridPoints } from '../../../main/playground/model-slice';
import { PLAYGROUND_OPTIMIZERS, computePath } from '../../../main/playground/optimizer-path';
import { slicedWeights } from '../../../main/playground/slice-graph';
import { SURFACES } from '../../../main/playground/surfaces';
import { seededRng } from '../../../main/optim/rng';
import { buildArchitecture } from '../../../main/train/models/arch';
import { rgbToGrey } from '../../../main/train/transfer/compose';

describe('filter-normalised directions', () => {
  // LeNet-5 at 28 px with 3 classes behind the studio's grey conversion: two convs and three Gemms.
  const model = rgbToGrey(buildArchitecture('lenet5', { channels: 1, size: 28, classes: 3, seed: 1 }));
  const weights = slicedWeights(model);

  it('slices the conv and Gemm weights, not biases or the fixed grey conversion', () => {
    expect(weights.length).toBe(5);
    expect(weights.every((w) => w.dims.length >= 2)).toBe(true);
    expect(weights.map((w) => w.name)).not.toContain('grey/weight');
    expect(weights.filter((w) => w.dims.length === 4).length).toBe(2);
  });

  it('gives every filter of the direction the norm of the same filter of the weight', () => {
    const d = filterNormalizedDirection(weights, seededRng(3));
    for (const [k, w] of weights.entries()) {
      const want = filterNorms(w.data, w.dims, w.filterAxis);
      const got = filterNorms(d[k], w.dims, w.filterAxis);
      expect(got.length).toBe(w.dims[w.filterAxis]);
      for (let f = 0; f < want.length; f++) expect(Math.abs(got[f] - want[f])).toBeLessThanOrEqual(1e-12 * Math.max(1, want[f]));
    }
    // A second draw is another direction (the two axes of the slice differ).
    const e = filterNormalizedDirection(weights, seededRng(4));
    expect(e[0][0]).not.toBe(d[0][0]);
  });

  it('uses the output unit of a Gemm without transB (the columns), and zeroes an all-zero filter', () => {
    // W is [in 3, out 2]: out unit 0 = column 0 = (1, 0, 0) (norm 1), unit 1 = column 1 = (0, 0, 0).
    const w: SlicedWeight = { name: 'w', dims: [3, 2], filterAxis: 1, data: Float32Array.of(1, 0, 0, 0, 0, 0) };
    const [d] = filterNormalizedDirection([w], seededRng(1));
    expect(Math.hypot(d[0], d[2], d[4])).toBeCloseTo(1, 12);
    expect([d[1], d[3], d[5]].map(Math.abs)).toEqual([0, 0, 0]);
    // Whole-tensor normalisation would not give these per-filter norms.
    expect(filterNorms(d, [3, 2], 0)).not.toEqual(filterNorms(w.data, [3, 2], 0));
  });
});

describe('the interpolated surface', () => {
  // Himmelblau sampled on a 21 × 21 grid of [−1, 1]²: smooth, so the interpolant is close to it too.
  const xs = gridPoints(21, 1);
  const h = SURFACES.himmelblau;
  const grid = { alphas: xs, betas: xs, loss: xs.map((y) => xs.map((x) => h.f(x, y))) };
  const s = gridSurface(grid);

  it('passes through every sample and stays close to the sampled function between them', () => {
    for (const [j, y] of xs.entries()) for (const [i, x] of xs.entries()) expect(s.f(x, y)).toBeCloseTo(grid.loss[j][i], 10);
    expect(Math.abs(s.f(0.33, -0.71) - h.f(0.33, -0.71))).toBeLessThan(0.05);
    expect(s.minima[0]).toEqual([1, 1]);
    expect(s.start).toEqual([0, 0]);
  });

  it("has a gradient equal to central finite differences of its own f (inside cells and across the edges' cells)", () => {
    const rng = seededRng(7);
    const e = 1e-6;
    for (let k = 0; k < 200; k++) {
      const x = -0.999 + 1.998 * rng.next();
      const y = -0.999 + 1.998 * rng.next();
      const [gx, gy] = s.grad(x, y);
      const fx = (s.f(x + e, y) - s.f(x - e, y)) / (2 * e);
      const fy = (s.f(x, y + e) - s.f(x, y - e)) / (2 * e);
      expect(Math.abs(gx - fx)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fx)));
      expect(Math.abs(gy - fy)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fy)));
    }
  });

  it('clamps outside the grid (no push outwards) and picks a stable SGD learning rate', () => {
    expect(s.f(3, 0)).toBe(s.f(1, 0));
    expect(s.grad(3, 0)[0]).toBe(0);
    // Himmelblau's Hessian on [−1, 1]² has λmax ≈ 46 at the corners: 1/λ ≈ 0.02, rounded to 0.02 or 0.01.
    expect(s.sgdLr).toBeGreaterThanOrEqual(0.01);
    expect(s.sgdLr).toBeLessThanOrEqual(0.05);
  });

  it('is raced by the optimisers with the same rules: each one lowers the loss from the start', () => {
    for (const optimizer of PLAYGROUND_OPTIMIZERS) {
      const path = computePath({ surface: s, optimizer, start: [0, 0], steps: 100, hyper: optimizer === 'adam' ? { lr: 0.01 } : {} });
      expect(path).toHaveLength(101);
      expect(path[100][2]).toBeLessThan(path[0][2]);
    }
  });

  it('refuses a grid whose rows do not match its axes', () => {
    expect(() => gridSurface({ alphas: [0, 1], betas: [0, 1], loss: [[1, 2]] })).toThrow(/2 × 2/);
  });
});
