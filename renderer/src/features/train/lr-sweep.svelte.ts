// The learning-rate range test's live curve: the engine sends each step's learning rate (`lr`) and loss
// (`lr_find_loss`) as metrics; a row joins the columns once both of its step's values are in, so the chart's x
// (learning rate) and y (loss) columns always have the same length. The smoothed column is the engine's
// smoothing (main/train/optim/lr-finder.ts: an exponential average, β = 0.98, bias-corrected) redone here so the
// live curve looks as the final one will; the job's result (LrFindResult) then replaces these columns.
import type { Point } from './curves.svelte';

const BETA = 0.98;

export class LrSweep {
  /** Bumped once per batch of points; the chart redraws from it. */
  version = $state(0);
  /** The latest step and learning rate, for the status line. */
  step = $state(0);
  lr = $state<number | null>(null);

  lrs: number[] = [];
  losses: number[] = [];
  smoothed: number[] = [];
  private avg = 0;
  // By step − 1, as they arrive (a batch may end between a step's loss and its lr).
  private lrAt: number[] = [];
  private lossAt: number[] = [];

  reset(): void {
    this.lrs.length = 0;
    this.losses.length = 0;
    this.smoothed.length = 0;
    this.avg = 0;
    this.lrAt = [];
    this.lossAt = [];
    this.step = 0;
    this.lr = null;
    this.version++;
  }

  add(points: Point[]): void {
    for (const p of points) {
      if (!Number.isFinite(p.value) || p.step < 1) continue;
      if (p.name === 'lr') {
        this.lrAt[p.step - 1] = p.value;
        this.lr = p.value;
      } else if (p.name === 'lr_find_loss') {
        this.lossAt[p.step - 1] = p.value;
        this.step = Math.max(this.step, p.step);
      }
    }
    for (let i = this.lrs.length; this.lrAt[i] !== undefined && this.lossAt[i] !== undefined; i++) {
      this.lrs.push(this.lrAt[i]);
      this.losses.push(this.lossAt[i]);
      this.avg = BETA * this.avg + (1 - BETA) * this.lossAt[i];
      this.smoothed.push(this.avg / (1 - BETA ** (i + 1)));
    }
    this.version++;
  }
}
