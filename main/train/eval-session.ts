// The evaluation session of a training run: the forward in inference mode with the current weights and
// batch-norm running statistics fed, so one session evaluates every epoch.
import * as ort from 'onnxruntime-node';
import type { Model } from '../onnx/ir';
import { encodeModel } from '../onnx/proto';
import { createTrainSession, type ProviderName } from '../runtime/ort';
import { buildEvalGraph, type EvalGraph } from './graph/eval-graph';
import type { BatchSource, Evaluation, Evaluator } from './loop';
import type { Weights } from './step-session';

export class EvalStep implements Evaluator {
  private constructor(
    readonly graph: EvalGraph,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(forward: Model, trainable: string[], provider?: ProviderName): Promise<EvalStep> {
    const graph = buildEvalGraph(forward, trainable);
    return new EvalStep(graph, await createTrainSession(encodeModel(graph.model), { provider }));
  }

  /** Mean loss, accuracy and every validation image's logits, in batches. */
  async evaluate(weights: Weights, source: BatchSource, batch: number): Promise<Evaluation> {
    const g = this.graph;
    const fixed: Record<string, ort.Tensor> = {};
    for (const p of g.params) fixed[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.shape);
    for (const s of g.runningStats) {
      fixed[s.mean] = new ort.Tensor('float32', weights.get(s.mean)!, [s.channels]);
      fixed[s.var] = new ort.Tensor('float32', weights.get(s.var)!, [s.channels]);
    }
    let logits: Float32Array | null = null;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < source.valCount; start += batch) {
      const n = Math.min(batch, source.valCount - start);
      const b = source.valBatch(Uint32Array.from({ length: n }, (_, i) => start + i));
      const out = await this.session.run({
        ...fixed,
        [g.input]: new ort.Tensor('float32', b.x, b.dims),
        [g.labels]: new ort.Tensor('int64', b.labels, [n]),
      });
      const l = out[g.outputs.logits].data as Float32Array;
      logits ??= new Float32Array(source.valCount * (l.length / n));
      logits.set(l, start * (l.length / n));
      lossSum += Number((out[g.outputs.loss].data as Float32Array)[0]) * n;
      correct += Number((out[g.outputs.correct].data as Float32Array)[0]);
    }
    return { loss: lossSum / source.valCount, accuracy: correct / source.valCount, logits: logits ?? new Float32Array(0) };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
