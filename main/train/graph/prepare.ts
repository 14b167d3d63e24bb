// What training and evaluation graphs share: a validated copy of the forward classifier with a symbolic
// batch, its image input and logits found, Dropout rewritten (before the opset upgrade, which would make it
// Identity), the chosen initializers turned into graph inputs (fed every step, so one session serves a
// whole run and nothing is folded from them), and the labels input.
import { StudioError } from '../../api/contract.js';
import { cloneModel, defaultOpset, DT, realInputs, type Graph, type Model } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/shapes.js';
import { upgradeOpset } from '../../onnx/surgery.js';
import { validateModel } from '../../onnx/validate.js';
import { isBatchNorm } from './batchnorm.js';
import { maskDropouts, removeDropouts, type DropoutMask } from './dropout.js';
import { LABELS } from './names.js';

export interface Prepared {
  model: Model;
  /** The image (or embedding) input. */
  input: string;
  /** The pre-softmax [N, K] tensor. */
  logits: string;
  classes: number;
  elemType: number;
  dropout: DropoutMask[];
}

const bad = (msg: string) => new StudioError('bad_request', msg);

/** The forward's pre-softmax scores: its first output, or the input of a Softmax that makes it. */
export function logitsOf(g: Graph): string {
  const out = g.outputs[0]?.name;
  if (!out) throw new StudioError('bad_model', 'model has no output');
  const p = g.nodes.find((n) => n.outputs[0] === out);
  return p && (p.opType === 'Softmax' || p.opType === 'LogSoftmax') ? p.inputs[0] : out;
}

/** BN running statistics: buffers, never trainable. */
export function runningStatNames(g: Graph): Set<string> {
  return new Set(g.nodes.filter(isBatchNorm).flatMap((n) => [n.inputs[3], n.inputs[4]]));
}

/** Float initializers other than BN running statistics: what "train everything" means. */
export function parameterNames(forward: Model): string[] {
  const g = forward.graph;
  const stats = runningStatNames(g);
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  return [...g.initializers.values()]
    .filter((t) => (t.dataType === DT.FLOAT || t.dataType === DT.DOUBLE) && !stats.has(t.name) && used.has(t.name))
    .map((t) => t.name);
}

function checkTrainable(g: Graph, names: readonly string[]): void {
  const stats = runningStatNames(g);
  const seen = new Set<string>();
  for (const w of names) {
    const t = g.initializers.get(w);
    if (!t || (t.dataType !== DT.FLOAT && t.dataType !== DT.DOUBLE)) throw bad(`"${w}" is not a float initializer of the model`);
    if (stats.has(w)) throw bad(`"${w}" is a BatchNormalization running statistic, not a parameter`);
    if (seen.has(w)) throw bad(`"${w}" is listed twice`);
    seen.add(w);
  }
}

/** Moves initializers to graph inputs (same name, type and shape). */
export function initializersToInputs(g: Graph, names: readonly string[]): void {
  for (const w of names) {
    const t = g.initializers.get(w)!;
    g.initializers.delete(w);
    if (!g.inputs.some((v) => v.name === w)) g.inputs.push({ name: w, elemType: t.dataType, shape: [...t.dims] });
  }
}

export function prepare(forward: Model, trainable: readonly string[], dropout: 'mask' | 'remove'): Prepared {
  validateModel(forward, { requireSupported: true });
  checkTrainable(forward.graph, trainable);
  let model = cloneModel(forward);
  const g = model.graph;
  const inInfo = realInputs(g)[0];
  if (!inInfo?.shape?.length) throw new StudioError('bad_model', 'model has no input with a known shape');
  const input = inInfo.name;
  const elemType = inInfo.elemType || DT.FLOAT;
  inInfo.shape = ['N', ...inInfo.shape.slice(1)];
  g.valueInfo.clear();
  for (const o of g.outputs) o.shape = undefined;
  const masks = dropout === 'mask' ? maskDropouts(model, inferShapes(model)) : (removeDropouts(model), []);
  if (defaultOpset(model) < 17) model = upgradeOpset(model, 17);
  const logits = logitsOf(model.graph);
  const ls = inferShapes(model).get(logits)?.shape;
  if (!ls || ls.length !== 2 || ls[0] !== 'N' || typeof ls[1] !== 'number')
    throw new StudioError('bad_model', `logits "${logits}" are [${ls}], not [N, K] with the batch free (a Reshape to a fixed batch?)`);
  initializersToInputs(model.graph, trainable);
  model.graph.inputs.push({ name: LABELS, elemType: DT.INT64, shape: ['N'] });
  return { model, input, logits, classes: ls[1], elemType, dropout: masks };
}
