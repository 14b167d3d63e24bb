// Long loops in the engine (PCA, nearest neighbours, t-SNE) hand the event loop back every ~30 ms, so cancel
// requests, other calls and progress events get through while the maths runs in the engine process.
import { StudioError } from '../api/contract';

export interface Work {
  signal?: AbortSignal;
  /** fraction in [0, 1] of this piece of work. */
  onProgress?: (fraction: number, message?: string) => void;
}

export class Ticker {
  private last = performance.now();
  constructor(
    private readonly work: Work = {},
    private readonly sliceMs = 30,
  ) {}

  /** Yields to the event loop when the slice is used up; throws 'cancelled' once the signal fired. */
  async tick(fraction?: number, message?: string): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    if (fraction !== undefined) this.work.onProgress?.(fraction, message);
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
    this.check();
  }

  check(): void {
    if (this.work.signal?.aborted) throw new StudioError('cancelled', 'The projection was cancelled.');
  }
}

/** Progress of a sub-step mapped into [from, to] of the parent's. */
export function subWork(work: Work, from: number, to: number): Work {
  return { signal: work.signal, onProgress: (f, m) => work.onProgress?.(from + (to - from) * f, m) };
}
