// The studio's training setup for a forward graph, as trainClassifier makes it (train graph, train and eval
// sessions), and the forward's own weights as the trainer starts from them. For bench/train/run.ts and profile.ts.
import type { Model } from '../../main/onnx/ir';
import { EvalStep } from '../../main/train/eval-session';
import { parameterNames } from '../../main/train/graph/prepare';
import { buildTrainGraph } from '../../main/train/graph/train-graph';
import { TrainStep, type Weights } from '../../main/train/step-session';

/** Copies of the forward's float initialisers: the weights a run starts from. */
export function initialWeights(m: Model): Weights {
  const w: Weights = new Map();
  for (const [k, t] of m.graph.initializers) if (t.data instanceof Float32Array) w.set(k, t.data.slice());
  return w;
}

/** Train graph, TrainStep (its session fixed to `batch`, as the trainer's) and EvalStep on the CPU, and how long making them took. */
export async function setup(forward: Model, batch: number) {
  const t0 = performance.now();
  const trainable = parameterNames(forward);
  const tg = buildTrainGraph(forward, { trainable, dropoutSeedable: true });
  const step = await TrainStep.create(tg, 'cpu', batch);
  const evaluator = await EvalStep.create(forward, trainable, 'cpu');
  return { tg, step, evaluator, trainable, ms: performance.now() - t0 };
}
