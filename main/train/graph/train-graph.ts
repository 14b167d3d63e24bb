// One graph per training run: forward in training mode, objective, and the gradients of every trainable
// weight, all in one session.run. Weights are graph inputs fed each step (the session is built once; no
// weight is flipped, folded or Winograd-transformed at build time), labels and dropout masks likewise.
//
//   inputs:  <image input> [N, …], labels int64 [N], each trainable weight by its initializer name,
//            dropout_mask:<node> (0/1, shaped like the Dropout's input) per Dropout with p > 0
//   outputs: loss, ce, correct, logits, grad:<weight> per trainable, grad:input (when asked),
//            bn_mean:<node>, bn_var:<node>, bn_var_unbiased:<node> per BatchNormalization in training mode
import { StudioError } from '../../api/contract.js';
import { GraphBuilder } from '../../onnx/builder.js';
import type { Rule } from '../../onnx/grad/context.js';
import { differentiate } from '../../onnx/grad/differentiate.js';
import type { Dim, Model, ValueInfo } from '../../onnx/ir.js';
import { poolBeforeRelu } from '../../onnx/pool-relu.js';
import { inferShapes } from '../../onnx/shapes.js';
import { pruneDead } from '../../onnx/surgery.js';
import { trainBatchNorms, type BatchNormStats } from './batchnorm.js';
import type { DropoutMask } from './dropout.js';
import { CE, CORRECT, gradOf, INPUT_GRAD, LABELS, LOGITS, LOSS } from './names.js';
import { appendObjective, type ObjectiveSpec } from './objective.js';
import { prepare } from './prepare.js';

export interface TrainSpec extends ObjectiveSpec {
  /** Initializers to train; the others stay frozen initializers. */
  trainable: string[];
  /** Default: the trainable Conv/Gemm/MatMul weights (not biases, not BN parameters). */
  penalised?: string[];
  /** Also output δloss/δimage as grad:input (default false). */
  inputGradient?: boolean;
  /** Dropout masks are graph inputs drawn by the trainer's seeded RNG (the only mode). */
  dropoutSeedable: true;
  /** Test hook: replacement backward rules. */
  rules?: Record<string, Rule>;
}

export interface TrainGraph {
  model: Model;
  input: string;
  labels: string;
  /** Trainable weights in spec order, with their shapes (graph inputs). */
  params: { name: string; shape: number[]; grad: string }[];
  outputs: { loss: string; ce: string; correct: string; logits: string; inputGrad?: string };
  dropout: DropoutMask[];
  batchNorm: BatchNormStats[];
  penalised: string[];
  classes: number;
}

/** Trainable weights that are a Conv's, Gemm's or MatMul's weight operand. */
export function defaultPenalised(forward: Model, trainable: readonly string[]): string[] {
  const t = new Set(trainable);
  const weights = new Set<string>();
  for (const n of forward.graph.nodes) {
    if (n.opType === 'Conv') weights.add(n.inputs[1]);
    if (n.opType === 'Gemm' || n.opType === 'MatMul') n.inputs.slice(0, 2).forEach((i) => weights.add(i));
  }
  return trainable.filter((w) => weights.has(w) && t.has(w));
}

export function buildTrainGraph(forward: Model, spec: TrainSpec): TrainGraph {
  if (spec.dropoutSeedable !== true) throw new StudioError('bad_request', 'dropout masks must be fed (dropoutSeedable: true)');
  const penalised = spec.penalised ?? defaultPenalised(forward, spec.trainable);
  const bad = penalised.find((w) => !spec.trainable.includes(w));
  if (bad) throw new StudioError('bad_request', `penalised "${bad}" is not trainable`);
  const p = prepare(forward, spec.trainable, 'mask');
  const { model, input, elemType } = p;
  const g = model.graph;
  for (const name of [LOSS, CE, CORRECT, LABELS, ...(p.logits === LOGITS ? [] : [LOGITS])])
    if (g.nodes.some((n) => n.outputs.includes(name))) throw new StudioError('bad_model', `the model already has a tensor named "${name}"`);
  poolBeforeRelu(g);

  const b = new GraphBuilder(g, elemType, inferShapes(model), 'train');
  const trainable = new Set(spec.trainable);
  const batchNorm = trainBatchNorms(b, trainable);
  const obj = appendObjective(b, p.logits, LABELS, p.classes, { ...spec, penalised });
  const shapes = inferShapes(model, { hints: b.shapes, lenient: true });
  const wrt = [...spec.trainable, ...(spec.inputGradient ? [input] : [])];
  const grads = differentiate(model, shapes, { loss: obj.loss, wrt, rules: spec.rules, elemType });

  const outputs: ValueInfo[] = [];
  const expose = (from: string, name: string, shape: Dim[] | undefined) => {
    if (from !== name) g.nodes.push({ name: `out/${name}`, opType: 'Identity', domain: '', inputs: [from], outputs: [name], attrs: {} });
    outputs.push({ name, elemType, shape });
  };
  expose(obj.loss, LOSS, []);
  expose(obj.ce, CE, []);
  expose(obj.correct, CORRECT, []);
  expose(p.logits, LOGITS, ['N', p.classes]);
  const params = spec.trainable.map((w) => {
    const shape = shapes.get(w)!.shape as number[];
    expose(grads.get(w)!, gradOf(w), shape);
    return { name: w, shape, grad: gradOf(w) };
  });
  if (spec.inputGradient) expose(grads.get(input)!, INPUT_GRAD, shapes.get(input)?.shape);
  for (const s of batchNorm) for (const o of [s.mean, s.var, s.varUnbiased]) outputs.push({ name: o, elemType, shape: [s.channels] });
  g.outputs = outputs;
  pruneDead(g);
  return {
    model: { ...model, producerName: 'vision-studio-train' },
    input,
    labels: LABELS,
    params,
    outputs: { loss: LOSS, ce: CE, correct: CORRECT, logits: LOGITS, inputGrad: spec.inputGradient ? INPUT_GRAD : undefined },
    dropout: p.dropout,
    batchNorm,
    penalised,
    classes: p.classes,
  };
}
