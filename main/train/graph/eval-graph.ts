// One evaluation graph per training run: the forward in inference mode (Dropout gone, BatchNormalization on
// running statistics) with the trainable weights as inputs and, for the BN layers that train, the running
// statistics too, so one session evaluates every epoch's weights.
//   inputs:  <image input>, labels int64 [N], each trainable weight, each fed running statistic (by name)
//   outputs: logits [N, K], loss (batch-mean cross-entropy, no penalties), correct
import { GraphBuilder } from '../../onnx/builder.js';
import type { Model } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/shapes.js';
import { pruneDead } from '../../onnx/surgery.js';
import { isBatchNorm, trainsBatchNorm } from './batchnorm.js';
import { CORRECT, LABELS, LOGITS, LOSS } from './names.js';
import { appendObjective } from './objective.js';
import { initializersToInputs, prepare } from './prepare.js';

export interface EvalOptions {
  /** Feed the running statistics of the BN layers that train (default true). */
  bnParamsAsInputs?: boolean;
  labelSmoothing?: number;
}

export interface EvalGraph {
  model: Model;
  input: string;
  labels: string;
  params: { name: string; shape: number[] }[];
  /** Running statistics fed as inputs, per BN node. */
  runningStats: { node: string; mean: string; var: string; channels: number }[];
  outputs: { logits: string; loss: string; correct: string };
}

export function buildEvalGraph(forward: Model, trainable: string[], opts: EvalOptions = {}): EvalGraph {
  const p = prepare(forward, trainable, 'remove');
  const { model } = p;
  const g = model.graph;
  const train = new Set(trainable);
  const runningStats: EvalGraph['runningStats'] = [];
  for (const n of g.nodes.filter(isBatchNorm)) {
    const { training_mode: _t, ...attrs } = n.attrs;
    n.attrs = attrs;
    n.outputs = [n.outputs[0]];
    if (opts.bnParamsAsInputs === false || !trainsBatchNorm(n, train)) continue;
    const channels = (g.initializers.get(n.inputs[3])?.dims ?? [0])[0];
    initializersToInputs(g, [n.inputs[3], n.inputs[4]]);
    runningStats.push({ node: n.name, mean: n.inputs[3], var: n.inputs[4], channels });
  }
  const b = new GraphBuilder(g, p.elemType, inferShapes(model), 'eval');
  const obj = appendObjective(b, p.logits, LABELS, p.classes, { labelSmoothing: opts.labelSmoothing });
  const out = (from: string, name: string) => {
    if (from !== name) g.nodes.push({ name: `out/${name}`, opType: 'Identity', domain: '', inputs: [from], outputs: [name], attrs: {} });
  };
  out(p.logits, LOGITS);
  out(obj.ce, LOSS);
  out(obj.correct, CORRECT);
  g.outputs = [
    { name: LOGITS, elemType: p.elemType, shape: ['N', p.classes] },
    { name: LOSS, elemType: p.elemType, shape: [] },
    { name: CORRECT, elemType: p.elemType, shape: [] },
  ];
  pruneDead(g);
  const shapeOf = (w: string) => g.inputs.find((v) => v.name === w)!.shape as number[];
  return {
    model: { ...model, producerName: 'vision-studio-eval' },
    input: p.input,
    labels: LABELS,
    params: trainable.map((name) => ({ name, shape: shapeOf(name) })),
    runningStats,
    outputs: { logits: LOGITS, loss: LOSS, correct: CORRECT },
  };
}
