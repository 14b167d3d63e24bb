// Keeps progress events near 10 Hz and estimates the time left from the elapsed time and fraction done.
export class ProgressThrottle {
  private lastEmit = 0;
  /** Time spent paused: not working time, so the ETA leaves it out. */
  private pausedMs = 0;

  constructor(
    private readonly startedAt: number,
    private readonly intervalMs = 100,
  ) {}

  shouldEmit(fraction: number, now = Date.now()): boolean {
    if (fraction >= 1 || now - this.lastEmit >= this.intervalMs) {
      this.lastEmit = now;
      return true;
    }
    return false;
  }

  /** Linear extrapolation; null until there is enough signal to say something honest. */
  eta(fraction: number, now = Date.now()): number | null {
    const elapsed = (now - this.startedAt - this.pausedMs) / 1000;
    if (fraction <= 0.01 || elapsed < 0.2) return null;
    return Math.max(0, (elapsed * (1 - fraction)) / fraction);
  }

  /** A pause of `ms` ended: the ETA's clock skips it. */
  skip(ms: number): void {
    this.pausedMs += ms;
  }
}
