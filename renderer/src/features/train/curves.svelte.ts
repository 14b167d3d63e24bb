// The live training curves, kept as column arrays uPlot reads directly: points are appended in place (amortised
// O(1) per point, never a copy of the history), and `version` tells the charts that something arrived. The loss
// chart's x is the global step; an epoch's losses sit on that epoch's last step. The accuracy chart's x is the epoch.

export type Point = { step: number; name: string; value: number };

export class Curves {
  /** Bumped once per batch of points; charts redraw from it (at most ~10 times a second, as batches come). */
  version = $state(0);
  /** Latest values for the status line. */
  step = $state(0);
  epoch = $state(0);
  lr = $state<number | null>(null);

  // Loss chart, one row per step.
  steps: number[] = [];
  stepLoss: (number | null)[] = [];
  epochTrainLoss: (number | null)[] = [];
  epochValLoss: (number | null)[] = [];
  // Accuracy chart, one row per epoch.
  epochs: number[] = [];
  trainAcc: (number | null)[] = [];
  valAcc: (number | null)[] = [];

  /** epoch -> its row in the loss chart (a sparse array: not reactive, not a Map, on purpose). */
  private epochRow: number[] = [];
  private stepsPerEpoch = 1;

  reset(stepsPerEpoch: number): void {
    this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
    for (const a of [this.steps, this.stepLoss, this.epochTrainLoss, this.epochValLoss, this.epochs, this.trainAcc, this.valAcc])
      a.length = 0;
    this.epochRow = [];
    this.step = 0;
    this.epoch = 0;
    this.lr = null;
    this.version++;
  }

  get empty(): boolean {
    return this.steps.length === 0 && this.epochs.length === 0;
  }

  add(points: Point[]): void {
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      switch (p.name) {
        case 'loss':
          this.stepLoss[this.stepRow(p.step)] = p.value;
          this.step = Math.max(this.step, p.step);
          break;
        case 'lr':
          this.lr = p.value;
          break;
        case 'epoch_train_loss':
          this.epochTrainLoss[this.endOfEpochRow(p.step)] = p.value;
          break;
        case 'epoch_val_loss':
          this.epochValLoss[this.endOfEpochRow(p.step)] = p.value;
          break;
        case 'epoch_train_acc':
          this.trainAcc[this.epochAccRow(p.step)] = p.value;
          break;
        case 'epoch_val_acc':
          this.valAcc[this.epochAccRow(p.step)] = p.value;
          break;
      }
      if (p.name.startsWith('epoch_')) this.epoch = Math.max(this.epoch, p.step);
    }
    this.version++;
  }

  /** The row of a step: the last one, a new one at the end (the usual cases), or one found or made in between. */
  private stepRow(step: number): number {
    const n = this.steps.length;
    if (n > 0 && this.steps[n - 1] === step) return n - 1;
    if (n === 0 || this.steps[n - 1] < step) {
      this.steps.push(step);
      this.stepLoss.push(null);
      this.epochTrainLoss.push(null);
      this.epochValLoss.push(null);
      return n;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    if (this.steps[lo] !== step) {
      this.steps.splice(lo, 0, step);
      this.stepLoss.splice(lo, 0, null);
      this.epochTrainLoss.splice(lo, 0, null);
      this.epochValLoss.splice(lo, 0, null);
      this.epochRow.forEach((r, e) => {
        if (r >= lo) this.epochRow[e] = r + 1;
      });
    }
    return lo;
  }

  /** An epoch's losses go on the last step seen when its first epoch metric arrives (the engine sends them after its steps). */
  private endOfEpochRow(epoch: number): number {
    const known = this.epochRow[epoch];
    if (known !== undefined) return known;
    let prev = 0;
    this.epochRow.forEach((r) => (prev = Math.max(prev, this.steps[r])));
    const last = this.steps.at(-1);
    const row = last !== undefined && last > prev ? this.steps.length - 1 : this.stepRow(epoch * this.stepsPerEpoch);
    this.epochRow[epoch] = row;
    return row;
  }

  private epochAccRow(epoch: number): number {
    const i = this.epochs.indexOf(epoch);
    if (i >= 0) return i;
    let at = this.epochs.length;
    while (at > 0 && this.epochs[at - 1] > epoch) at--;
    this.epochs.splice(at, 0, epoch);
    this.trainAcc.splice(at, 0, null);
    this.valAcc.splice(at, 0, null);
    return at;
  }
}
