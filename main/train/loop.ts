// The training loop, the same for a network from scratch and a head on embeddings: seeded shuffles, one
// fused forward+backward run per batch, the optimiser (torch.optim's rules), the learning-rate schedule,
// gradient clipping, an evaluation pass per epoch, early stopping that restores the best epoch, and
// progress/metrics for the UI and the run log. Cancellation is checked before every step.
import { seededRng, type Rng } from '../optim/rng';
import { clipGradNorm } from './optim/clip';
import { Optimizer, type Hyper, type OptimizerId } from './optim/optimizers';
import { applySchedule, type ScheduleSpec } from './optim/schedules';
import type { TrainStep, Weights } from './step-session';

export interface Batch {
  x: Float32Array;
  dims: number[];
  labels: BigInt64Array;
}

/** Where batches come from: image tensors (augmented per epoch) or embedding rows. */
export interface BatchSource {
  readonly trainCount: number;
  readonly valCount: number;
  trainBatch(indices: ArrayLike<number>, epoch: number, rng: Rng): Batch;
  valBatch(indices: ArrayLike<number>): Batch;
  valLabel(i: number): number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** [valCount × K] logits, row-major. */
  logits: Float32Array;
}

export interface Evaluator {
  evaluate(weights: Weights, source: BatchSource, batch: number): Promise<Evaluation>;
}

export interface LoopOptions {
  epochs: number;
  batch: number;
  optimizer: OptimizerId;
  hyper: Partial<Hyper>;
  /** Parameter groups by name (fine-tuning gives the backbone a smaller lr); default one group of all. */
  groups?: { names: string[]; lrScale: number }[];
  schedule: ScheduleSpec;
  clipNorm?: number;
  earlyStop: number;
  seed: number;
}

export interface Reporter {
  progress(fraction: number, message?: string): void;
  metric(step: number, name: string, value: number): void;
  throwIfCancelled(): void;
  /** Where the run may be held by a pause (the job manager's; absent in the CLI). */
  pausePoint?(): Promise<void>;
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

export interface LoopResult {
  history: EpochStats[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** The best epoch's weights (restored) and its evaluation. */
  weights: Weights;
  best: Evaluation;
  steps: number;
  images: number;
  ms: number;
}

const copy = (w: Weights): Weights => new Map([...w].map(([k, v]) => [k, v.slice()]));

/**
 * Validation batch size: each session.run feeds every weight again (and ORT re-packs fed GEMM weights), so small
 * inputs go in batches of up to 1024 (~4 MB of input: embeddings, 28-px images; an MLP head's 400 validation
 * embeddings took 7 runs and 4x PyTorch's time at batch 64), large images at the training batch (at least 64).
 */
export function evaluationBatch(floatsPerSample: number, trainBatch: number): number {
  const floor = Math.max(trainBatch, 64);
  return Math.max(floor, Math.min(1024, Math.floor(2 ** 20 / Math.max(1, floatsPerSample))));
}

export async function trainLoop(
  step: TrainStep,
  evaluator: Evaluator,
  source: BatchSource,
  weights: Weights,
  opts: LoopOptions,
  r: Reporter,
): Promise<LoopResult> {
  const t0 = performance.now();
  const params = step.graph.params.map((p) => p.name);
  const groups = opts.groups ?? [{ names: params, lrScale: 1 }];
  const baseLr = opts.hyper.lr;
  const optimizer = new Optimizer(
    opts.optimizer,
    groups.map((g) => ({ params: g.names.map((n) => weights.get(n)!), ...(baseLr !== undefined ? { lr: baseLr * g.lrScale } : {}) })),
    opts.hyper,
  );
  const order = groups.map((g) => g.names.map((n) => params.indexOf(n)));
  const rng = seededRng(opts.seed);
  const perEpoch = Math.ceil(source.trainCount / opts.batch);
  const totalSteps = perEpoch * opts.epochs;
  const evalBatch = source.valCount ? evaluationBatch(source.valBatch([0]).x.length, opts.batch) : opts.batch;
  const history: EpochStats[] = [];
  let best: { epoch: number; loss: number; weights: Weights; eval: Evaluation } | null = null;
  let since = 0;
  let stepNo = 0;
  let images = 0;
  let stoppedEarly = false;
  const idx = Uint32Array.from({ length: source.trainCount }, (_, i) => i);
  let last: Evaluation | null = null;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    // Fisher–Yates with the run's seeded RNG: the same seed gives the same batches.
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < perEpoch; b++) {
      r.throwIfCancelled();
      if (r.pausePoint) await r.pausePoint();
      const indices = idx.subarray(b * opts.batch, Math.min(idx.length, (b + 1) * opts.batch));
      const batch = source.trainBatch(indices, epoch, rng);
      applySchedule(optimizer, opts.schedule, stepNo);
      const out = await step.run(batch.x, batch.dims, batch.labels, weights, rng);
      if (!Number.isFinite(out.loss))
        throw new Error(`the loss became ${out.loss} at epoch ${epoch}, step ${stepNo + 1}: lower the learning rate`);
      if (opts.clipNorm) clipGradNorm(out.grads, opts.clipNorm);
      optimizer.step(order.map((o) => o.map((k) => out.grads[k])));
      stepNo++;
      images += indices.length;
      lossSum += out.ce * indices.length;
      correct += out.correct;
      r.metric(stepNo, 'loss', out.ce);
      r.metric(stepNo, 'lr', optimizer.getLr(0));
      r.progress(stepNo / totalSteps, `epoch ${epoch} / ${opts.epochs} · step ${stepNo}`);
    }
    r.throwIfCancelled();
    const ev = await evaluator.evaluate(weights, source, evalBatch);
    last = ev;
    const stats: EpochStats = {
      epoch,
      trainLoss: lossSum / source.trainCount,
      trainAccuracy: correct / source.trainCount,
      valLoss: ev.loss,
      valAccuracy: ev.accuracy,
    };
    history.push(stats);
    r.metric(epoch, 'epoch_train_loss', stats.trainLoss);
    r.metric(epoch, 'epoch_train_acc', stats.trainAccuracy);
    r.metric(epoch, 'epoch_val_loss', stats.valLoss);
    r.metric(epoch, 'epoch_val_acc', stats.valAccuracy);
    if (!best || ev.loss < best.loss) {
      best = { epoch, loss: ev.loss, weights: copy(weights), eval: ev };
      since = 0;
    } else if (opts.earlyStop > 0 && ++since >= opts.earlyStop) {
      stoppedEarly = epoch < opts.epochs;
      break;
    }
  }
  // Without early stopping the last epoch's weights are the result; with it, the best epoch's.
  const keepBest = opts.earlyStop > 0 && best;
  const finalEval = keepBest ? best!.eval : last!;
  return {
    history,
    bestEpoch: keepBest ? best!.epoch : history.length,
    stoppedEarly,
    weights: keepBest ? best!.weights : weights,
    best: finalEval,
    steps: stepNo,
    images,
    ms: performance.now() - t0,
  };
}
