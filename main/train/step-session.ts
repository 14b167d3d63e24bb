// One ONNX Runtime session per training run: forward, loss and backward in one `session.run`, with the
// weights, labels and dropout masks fed every step (so the session is built once and never goes stale),
// and the running statistics of batch norm updated here as torch does.
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../onnx/proto';
import { createTrainSession, type ProviderName } from '../runtime/ort';
import type { Rng } from '../optim/rng';
import type { TrainGraph } from './graph/train-graph';

export interface StepOutput {
  loss: number;
  ce: number;
  correct: number;
  /** Gradients in the order of `graph.params`. */
  grads: Float32Array[];
}

export type Weights = Map<string, Float32Array>;

const tensor = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims as number[]);

export class TrainStep {
  /** For batches of another size (an epoch's last, shorter one), made when first needed. */
  private other: Promise<ort.InferenceSession> | null = null;

  private constructor(
    readonly graph: TrainGraph,
    private readonly session: ort.InferenceSession,
    private readonly batch: number | undefined,
    private readonly bytes: Uint8Array,
    private readonly provider: ProviderName | undefined,
  ) {}

  /**
   * `batch`: the run's batch size. Its session has the batch dimension fixed, so ORT folds the graph's shape
   * arithmetic once (LeNet-5's step 3-4% faster, bench/train/profile.ts); other sizes get a second session.
   */
  static async create(graph: TrainGraph, provider?: ProviderName, batch?: number): Promise<TrainStep> {
    const bytes = encodeModel(graph.model);
    return new TrainStep(graph, await createTrainSession(bytes, { provider, batch }), batch, bytes, provider);
  }

  private sessionFor(n: number): ort.InferenceSession | Promise<ort.InferenceSession> {
    if (this.batch === undefined || n === this.batch) return this.session;
    this.other ??= createTrainSession(this.bytes, { provider: this.provider });
    return this.other;
  }

  /**
   * One step's forward and backward at the current weights. `rng` draws the dropout masks (Bernoulli(1 − p)
   * per unit; the graph scales by 1/(1 − p)). Batch-norm running statistics in `weights` are updated.
   */
  async run(x: Float32Array, dims: readonly number[], labels: BigInt64Array, weights: Weights, rng: Rng): Promise<StepOutput> {
    const g = this.graph;
    const n = dims[0];
    const feeds: Record<string, ort.Tensor> = {
      [g.input]: tensor(x, dims),
      [g.labels]: new ort.Tensor('int64', labels, [n]),
    };
    for (const p of g.params) feeds[p.name] = tensor(weights.get(p.name)!, p.shape);
    for (const d of g.dropout) {
      const shape = [n, ...d.perSample];
      const mask = new Float32Array(shape.reduce((a, b) => a * b, 1));
      rng.bernoulli(mask, 1 - d.ratio);
      feeds[d.input] = tensor(mask, shape);
    }
    const fetch = [g.outputs.loss, g.outputs.ce, g.outputs.correct, ...g.params.map((p) => p.grad)];
    for (const s of g.batchNorm) fetch.push(s.mean, s.varUnbiased);
    const out = await (await this.sessionFor(n)).run(feeds, fetch);
    for (const s of g.batchNorm) {
      // torch: running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance.
      const m = s.momentum;
      const mean = out[s.mean].data as Float32Array;
      const v = out[s.varUnbiased].data as Float32Array;
      const rm = weights.get(s.runningMean)!;
      const rv = weights.get(s.runningVar)!;
      for (let c = 0; c < rm.length; c++) {
        rm[c] = (1 - m) * rm[c] + m * mean[c];
        rv[c] = (1 - m) * rv[c] + m * v[c];
      }
    }
    const num = (name: string) => Number((out[name].data as Float32Array)[0]);
    return {
      loss: num(g.outputs.loss),
      ce: num(g.outputs.ce),
      correct: num(g.outputs.correct),
      grads: g.params.map((p) => out[p.grad].data as Float32Array),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.other) await (await this.other).release();
  }
}
