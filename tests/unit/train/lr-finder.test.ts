// The learning-rate range test on problems whose answer is known.
import { describe, expect, it } from 'vitest';
import { findLr, suggestLr, sweepLr } from '../../../main/train/optim/index.js';

/**
 * One SGD step on a minibatch of the 1-D quadratic f(w) = ½a(w − c)²: each batch's c wobbles around 3
 * (deterministic "sampling noise"), so the loss has a floor as real training does. Returns the
 * batch's loss before the step, as a training step reports it.
 */
function quadratic(a: number, noise = 0.3) {
  let w = 0;
  let k = 0;
  return (lr: number): number => {
    const c = 3 + noise * Math.sin(1.7 * k++);
    const loss = 0.5 * a * (w - c) ** 2;
    w -= lr * a * (w - c);
    return loss;
  };
}

describe('lr finder', () => {
  it('sweeps exponentially from 1e-7 to 10', () => {
    expect(sweepLr(0, 100, 1e-7, 10)).toBe(1e-7);
    expect(sweepLr(99, 100, 1e-7, 10)).toBeCloseTo(10, 12);
    expect(sweepLr(33, 100, 1e-7, 10) / sweepLr(32, 100, 1e-7, 10)).toBeCloseTo(10 ** (8 / 99), 12);
  });

  it('on a 1-D quadratic: stops once the loss diverges and suggests a sensible lr', async () => {
    // f = ½·2·(w − 3)²: gradient descent converges for lr < 1 (fastest at 0.5) and diverges past it.
    const seen: number[] = [];
    const r = await findLr(quadratic(2), { onPoint: (p) => seen.push(p.lr) });
    console.log(
      'quadratic:',
      r.stop,
      'at',
      r.stoppedAtLr,
      'steepest',
      r.suggestion.steepest,
      'min/10',
      r.suggestion.minimumOver10,
      'points',
      r.lrs.length,
    );
    expect(r.stop).toBe('diverged');
    expect(r.stoppedAtLr!).toBeGreaterThan(1);
    expect(r.stoppedAtLr!).toBeLessThan(10);
    expect(r.lrs.length).toBeLessThan(100);
    expect(seen).toEqual(r.lrs);
    // The suggestions sit where the loss drops, below the divergence point.
    expect(r.suggestion.steepest!).toBeGreaterThan(1e-3);
    expect(r.suggestion.steepest!).toBeLessThan(1);
    expect(r.suggestion.minimumOver10!).toBeGreaterThan(1e-3);
    expect(r.suggestion.minimumOver10!).toBeLessThan(0.2);
    // The smoothed curve is bias-corrected: its first point is the first loss.
    expect(r.smoothed[0]).toBeCloseTo(r.losses[0], 12);
    // Every recorded smoothed loss after the best one is still within 4× of it.
    const best = r.smoothed.indexOf(Math.min(...r.smoothed));
    for (const y of r.smoothed.slice(best)) expect(y).toBeLessThanOrEqual(4 * r.smoothed[best]);
  });

  it('a sharper quadratic diverges at a proportionally smaller lr', async () => {
    const soft = await findLr(quadratic(2));
    const sharp = await findLr(quadratic(200));
    expect(sharp.stoppedAtLr!).toBeLessThan(soft.stoppedAtLr! / 30);
    expect(sharp.suggestion.steepest!).toBeLessThan(soft.suggestion.steepest!);
  });

  it('runs the full sweep when nothing diverges', async () => {
    const r = await findLr(() => 1, { iterations: 20 });
    expect(r.stop).toBe('completed');
    expect(r.stoppedAtLr).toBeNull();
    expect(r.lrs).toHaveLength(20);
    expect(r.lrs[19]).toBeCloseTo(10, 12);
    expect(r.suggestion.steepest).toBeNull(); // a flat curve has no descent
  });

  it('stops on a non-finite loss and on abort', async () => {
    const nan = await findLr((lr) => (lr > 1e-3 ? NaN : 1));
    expect(nan.stop).toBe('non-finite');
    expect(nan.lrs.every((lr) => lr <= 1e-3)).toBe(true);
    const signal = { aborted: false };
    const ab = await findLr(
      (_lr, i) => {
        if (i === 4) signal.aborted = true;
        return 1;
      },
      { signal },
    );
    expect(ab.stop).toBe('aborted');
    expect(ab.lrs).toHaveLength(5);
  });

  it('awaits an async evaluate in order', async () => {
    const order: number[] = [];
    await findLr(
      async (_lr, i) => {
        await new Promise((r) => setTimeout(r, 0));
        order.push(i);
        return 1;
      },
      { iterations: 5 },
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('suggestLr: steepest descent and minimum / 10 on the trimmed curve', () => {
    const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-6 + i * 0.2));
    // Falls fastest at index 17, lowest at 22, rises after.
    const y = lrs.map((_, i) => (i < 22 ? 2 - 1 / (1 + Math.exp(-(i - 17))) : 1 + 0.05 * (i - 22)));
    const s = suggestLr(lrs, y, 10, 5);
    expect(s.steepest).toBe(lrs[17]);
    expect(s.minimumOver10).toBeCloseTo(lrs[22] / 10, 15);
    expect(suggestLr([1e-3], [1])).toEqual({ steepest: null, minimumOver10: 1e-4 });
    expect(suggestLr([], [])).toEqual({ steepest: null, minimumOver10: null });
  });

  it('suggestLr: a steep fall between spikes after the lowest loss is never the suggestion (small, noisy datasets)', () => {
    const lrs = Array.from({ length: 40 }, (_, i) => sweepLr(i, 40, 1e-6, 1));
    // Gentle descent to a minimum at i = 25, then a noisy blow-up with one deep dip at i = 33.
    const y = lrs.map((_, i) => (i <= 25 ? 2 - 0.04 * i : i === 33 ? 1.2 : 1 + 0.5 * (i - 25)));
    const s = suggestLr(lrs, y, 0, 0);
    expect(lrs.indexOf(s.steepest!)).toBeLessThanOrEqual(25);
    expect(s.minimumOver10).toBeCloseTo(lrs[25] / 10, 15);
  });
});
