// Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue } from '../../../main/train/optim/index.js';
import { fixture, maxRelError } from './torch-fixture.js';

describe('gradient clipping matches torch', () => {
  for (const c of fixture.clip) {
    if (c.kind === 'norm') {
      it(`clip_grad_norm_ max_norm ${c.maxNorm}, norm ${c.normType}`, () => {
        const grads = c.grads.map((g) => Float32Array.from(g));
        const total = clipGradNorm(grads, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
        // torch sums the norm in float32, we in float64: ~1e-7 apart; the scaled values follow.
        const totalErr = Math.abs(total - c.total) / c.total;
        const gradErr = maxRelError(grads, c.clipped, 1e-12);
        console.log(
          `max_norm ${c.maxNorm} norm ${c.normType}: total rel error ${totalErr.toExponential(2)}, grads ${gradErr.toExponential(2)}`,
        );
        expect(totalErr).toBeLessThanOrEqual(1e-6);
        expect(gradErr).toBeLessThanOrEqual(1e-6);
        if (c.total + 1e-6 <= c.maxNorm) expect(maxRelError(grads, c.grads, 0)).toBe(0); // untouched below the limit
      });
    } else {
      it(`clip_grad_value_ ${c.clipValue}`, () => {
        const grads = c.grads.map((g) => Float32Array.from(g));
        clipGradValue(grads, c.clipValue);
        expect(maxRelError(grads, c.clipped, 1e-12)).toBe(0);
      });
    }
  }

  it('takes grouped gradients (as Optimizer.step) and skips nulls', () => {
    const a = Float32Array.of(3, 0);
    const b = Float32Array.of(0, 4);
    expect(clipGradNorm([[a, null], [b]], 1)).toBe(5);
    expect(Math.hypot(...a, ...b)).toBeCloseTo(1, 6);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it('a non-finite norm is returned and leaves the gradients alone', () => {
    const g = Float32Array.of(Infinity, 1);
    expect(clipGradNorm([g], 1)).toBe(Infinity);
    expect(Array.from(g)).toEqual([Infinity, 1]);
    const n = Float32Array.of(NaN, 1);
    expect(clipGradNorm([n], 1)).toBeNaN();
    expect(n[1]).toBe(1);
  });

  it('clip by value clamps both sides and keeps NaN', () => {
    const g = Float32Array.of(-2, -0.1, 0.1, 2, NaN);
    clipGradValue([g], 0.5);
    expect(Array.from(g)).toEqual([-0.5, -0.1, 0.1, 0.5, NaN].map(Math.fround));
    expect(() => clipGradValue([g], -1)).toThrow(RangeError);
  });
});
