// The learning-rate range test (Smith 2017, "Cyclical learning rates"; fastai's lr_find): train with
// an exponentially growing lr, watch the smoothed loss, stop once it blows up, and suggest an lr
// from the curve. A pure driver: evaluate(lr) performs one training step at that lr and returns its
// loss, so this file knows nothing of the engine. Saving and restoring the weights around the sweep
// is the caller's job (the sweep is meant to wreck them at the end).

export interface LrFinderOptions {
  startLr?: number;
  endLr?: number;
  /** Points in the sweep: lr_i = start·(end/start)^(i/(N−1)), so the last one is endLr. */
  iterations?: number;
  /** Exponential smoothing of the loss (with bias correction, as fastai). */
  beta?: number;
  /** Stop once smoothed loss > divergeFactor × best smoothed loss. */
  divergeFactor?: number;
  /** Points trimmed from the start and end before suggesting (fastai's plot defaults 10 and 5). */
  skipStart?: number;
  skipEnd?: number;
  onPoint?: (p: LrFinderPoint) => void;
  /** Stop early (an AbortSignal fits). */
  signal?: { readonly aborted: boolean };
}

export interface LrFinderPoint {
  iteration: number;
  lr: number;
  loss: number;
  smoothed: number;
}

export interface LrFinderResult {
  /** The curve, without the point that triggered a divergence stop. */
  lrs: number[];
  losses: number[];
  smoothed: number[];
  stop: 'completed' | 'diverged' | 'non-finite' | 'aborted';
  /** The lr at which the sweep stopped early (null when it completed). */
  stoppedAtLr: number | null;
  suggestion: LrSuggestion;
}

export interface LrSuggestion {
  /** The lr where the smoothed loss falls fastest (steepest negative slope against log lr). */
  steepest: number | null;
  /** One tenth of the lr at the lowest smoothed loss. */
  minimumOver10: number | null;
}

/** The i-th lr of an exponential sweep from start to end in n points. */
export function sweepLr(i: number, n: number, startLr: number, endLr: number): number {
  return n <= 1 ? startLr : startLr * (endLr / startLr) ** (i / (n - 1));
}

export async function findLr(
  evaluate: (lr: number, iteration: number) => Promise<number> | number,
  options: LrFinderOptions = {},
): Promise<LrFinderResult> {
  const startLr = options.startLr ?? 1e-7;
  const endLr = options.endLr ?? 10;
  const n = options.iterations ?? 100;
  const beta = options.beta ?? 0.98;
  const divergeFactor = options.divergeFactor ?? 4;
  if (!(startLr > 0 && endLr > startLr)) throw new RangeError(`lr finder: need 0 < startLr < endLr, got ${startLr}, ${endLr}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`lr finder: iterations must be an integer ≥ 2, got ${n}`);
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`lr finder: beta must be in [0, 1), got ${beta}`);

  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let avg = 0;
  let best = Infinity;
  let stop: LrFinderResult['stop'] = 'completed';
  let stoppedAtLr: number | null = null;
  for (let i = 0; i < n; i++) {
    if (options.signal?.aborted) {
      stop = 'aborted';
      stoppedAtLr = sweepLr(i, n, startLr, endLr);
      break;
    }
    const lr = sweepLr(i, n, startLr, endLr);
    const loss = await evaluate(lr, i);
    if (!Number.isFinite(loss)) {
      stop = 'non-finite';
      stoppedAtLr = lr;
      break;
    }
    avg = beta * avg + (1 - beta) * loss;
    const smooth = avg / (1 - beta ** (i + 1)); // bias correction: the average starts at 0
    // Sylvain Gugger's loop: stop before recording the point that exceeds 4× the best.
    if (i > 0 && smooth > divergeFactor * best) {
      stop = 'diverged';
      stoppedAtLr = lr;
      break;
    }
    if (smooth < best || i === 0) best = smooth;
    lrs.push(lr);
    losses.push(loss);
    smoothed.push(smooth);
    options.onPoint?.({ iteration: i, lr, loss, smoothed: smooth });
  }
  return { lrs, losses, smoothed, stop, stoppedAtLr, suggestion: suggestLr(lrs, smoothed, options.skipStart ?? 10, options.skipEnd ?? 5) };
}

/**
 * fastai's suggestions on the trimmed curve: steepest = argmin of np.gradient(smoothed) up to the lowest loss (the lrs are
 * evenly spaced in log lr, so that is the steepest descent against log lr), and the lr of the lowest
 * smoothed loss / 10. A curve too short to trim is used whole.
 */
export function suggestLr(lrs: readonly number[], smoothed: readonly number[], skipStart = 10, skipEnd = 5): LrSuggestion {
  let a = skipStart;
  let b = lrs.length - skipEnd;
  if (b - a < 3) {
    a = 0;
    b = lrs.length;
  }
  const x = lrs.slice(a, b);
  const y = smoothed.slice(a, b);
  if (y.length < 2) return { steepest: null, minimumOver10: y.length === 1 ? x[0] / 10 : null };
  let min = 0;
  for (let i = 0; i < y.length; i++) if (y[i] < y[min]) min = i;
  // Only the descent counts: past the lowest loss a noisy blow-up can fall steeply between two spikes (seen
  // with small datasets), and a rate there trains nothing. fastai's curves rarely show it; small ones do.
  let steep = 0;
  let steepGrad = Infinity;
  for (let i = 0; i <= min; i++) {
    // np.gradient: central differences inside, one-sided at the ends.
    const grad = i === 0 ? y[1] - y[0] : i === y.length - 1 ? y[i] - y[i - 1] : (y[i + 1] - y[i - 1]) / 2;
    if (grad < steepGrad) {
      steepGrad = grad;
      steep = i;
    }
  }
  return { steepest: steepGrad < 0 ? x[steep] : null, minimumOver10: x[min] / 10 };
}
