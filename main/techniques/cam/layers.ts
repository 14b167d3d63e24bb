// Finds, from the graph alone, what the CAM family needs: the pre-softmax logits, the global pooling,
// the suggested target layer (with a one-line reason) and, where the head is GAP + linear, the
// classifier weights that plain CAM (Zhou et al. 2016) uses.
import { StudioError } from '../../api/contract';
import { attrFloat, attrInt, attrInts, tensorNumbers, type Model, type Node } from '../../onnx/ir';
import type { GraphIndex } from '../shared/graph-index';

export interface Classifier {
  /** [classes × channels], row-major. */
  weight: Float32Array;
  classes: number;
  channels: number;
  node: string;
}

export interface HeadInfo {
  /** Scores the CAM family differentiates / ranks (the output, or the input of a final Softmax). */
  logits: string;
  /** Global pooling node and the tensor it pools. */
  pool: Node | null;
  pooled: string | null;
  /** Suggested target layer and why. */
  target: string;
  reason: string;
  /** Linear classifier applied to GAP(target), when the head allows plain CAM. */
  classifier: Classifier | null;
}

const NONLINEAR = new Set([
  'Relu',
  'Clip',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Elu',
  'HardSigmoid',
  'Softplus',
  'PRelu',
  'Selu',
  'HardSwish',
  'Mish',
  'Gelu',
]);
/** Ops between the pool and the logits that do not mix spatial positions. */
const HEAD_PASS = new Set([
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Dropout',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Sub',
  'Div',
  'Conv',
  'BatchNormalization',
  'Transpose',
]);

function isGlobalPool(n: Node): boolean {
  if (n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool') return true;
  if (n.opType === 'ReduceMean') {
    const axes = attrInts(n, 'axes');
    return !!axes && axes.length === 2 && axes.every((a) => a === 2 || a === 3 || a === -1 || a === -2);
  }
  return false;
}

/** A per-pixel linear op: 1×1 stride-1 ungrouped conv, BN, or an affine op with a constant. */
function isPixelLinear(n: Node, idx: GraphIndex): boolean {
  if (n.opType === 'Conv') {
    const w = idx.graph.initializers.get(n.inputs[1]);
    const strides = attrInts(n, 'strides') ?? [1, 1];
    return (
      !!w && w.dims.length === 4 && w.dims[2] === 1 && w.dims[3] === 1 && attrInt(n, 'group', 1) === 1 && strides.every((s) => s === 1)
    );
  }
  if (n.opType === 'BatchNormalization' || n.opType === 'Identity' || n.opType === 'Dropout') return true;
  if (n.opType === 'Add' || n.opType === 'Sub' || n.opType === 'Mul') return n.inputs.filter((i) => idx.isConst(i)).length === 1;
  return false;
}

export function logitsTensor(model: Model, idx: GraphIndex, outputName?: string): string {
  const out = outputName && model.graph.outputs.some((o) => o.name === outputName) ? outputName : model.graph.outputs[0]?.name;
  if (!out) throw new StudioError('bad_model', 'the model has no outputs');
  const p = idx.producer.get(out);
  return p && p.opType === 'Softmax' ? p.inputs[0] : out;
}

export function analyseHead(model: Model, idx: GraphIndex, outputName?: string): HeadInfo {
  const logits = logitsTensor(model, idx, outputName);
  // Walk back from the logits along the data path to the global pooling.
  let t = logits;
  let pool: Node | null = null;
  const headNodes: Node[] = [];
  for (let guard = 0; guard < 64; guard++) {
    const p = idx.producer.get(t);
    if (!p) break;
    if (isGlobalPool(p)) {
      pool = p;
      break;
    }
    if (!HEAD_PASS.has(p.opType)) break;
    const next = idx.dataInput(p);
    if (!next) break;
    headNodes.push(p);
    t = next;
  }
  if (!pool) return flattenHead(idx, logits);
  const pooled = pool.inputs[0];
  // Walk back from the pooled map through per-pixel linear ops (a 1×1 classifier conv, BN) to a nonlinearity.
  let target = pooled;
  const skipped: Node[] = [];
  for (let guard = 0; guard < 16; guard++) {
    const p = idx.producer.get(target);
    if (!p || NONLINEAR.has(p.opType) || !isPixelLinear(p, idx) || (idx.consumers.get(target)?.length ?? 0) > 1) break;
    const next = idx.dataInput(p);
    if (!next) break;
    skipped.push(p);
    target = next;
  }
  const producer = idx.producer.get(target);
  const reason =
    skipped.length === 0
      ? `last spatial feature map before ${pool.opType} "${pool.name}" (output of ${producer?.opType ?? 'input'} "${producer?.name ?? target}")`
      : `last nonlinearity (${producer?.opType ?? 'input'} "${producer?.name ?? target}") before ${pool.opType}; ${skipped.map((n) => `${n.opType} "${n.name}"`).join(', ')} in between ${skipped.length === 1 ? 'is' : 'are'} linear per pixel`;
  const classifier = pool.opType === 'GlobalAveragePool' || pool.opType === 'ReduceMean' ? linearClassifier(idx, skipped, headNodes) : null;
  return { logits, pool, pooled, target, reason, classifier };
}

/** W with logits = W · GAP(target) (+ b): from a 1×1 conv before the pool, or a Gemm/MatMul after it. */
function linearClassifier(idx: GraphIndex, before: Node[], after: Node[]): Classifier | null {
  const lin = [...before, ...after].filter((n) => n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul');
  const scaling = [...before, ...after].filter(
    (n) => n.opType === 'BatchNormalization' || n.opType === 'Mul' || n.opType === 'Div' || n.opType === 'Transpose',
  );
  if (lin.length !== 1 || scaling.length) return null;
  const n = lin[0];
  const wT = idx.graph.initializers.get(n.inputs[1]);
  if (!wT) return null;
  // Float weights are used as they are (a ResNet-50 classifier is 2M numbers: no detour through number[]).
  const w = wT.data instanceof Float32Array ? wT.data : Float32Array.from(tensorNumbers(wT));
  if (n.opType === 'Conv') return { weight: w, classes: wT.dims[0], channels: wT.dims[1], node: n.name };
  const transB = n.opType === 'Gemm' ? attrInt(n, 'transB', 0) : 0;
  if (n.opType === 'Gemm' && attrInt(n, 'transA', 0)) return null;
  const alpha = n.opType === 'Gemm' ? attrFloat(n, 'alpha', 1) : 1;
  const [r, c] = wT.dims;
  const classes = transB ? r : c;
  const channels = transB ? c : r;
  const weight = new Float32Array(classes * channels);
  for (let k = 0; k < classes; k++)
    for (let j = 0; j < channels; j++) weight[k * channels + j] = alpha * (transB ? w[k * c + j] : w[j * c + k]);
  return { weight, classes, channels, node: n.name };
}

/** Checks a user-chosen layer name and says what is wrong with it, in words. */
export function checkLayer(idx: GraphIndex, name: string, inputName: string): void {
  if (name === inputName) throw new StudioError('bad_request', `layer "${name}" is the image input: choose a feature map`);
  if (!idx.producer.has(name)) throw new StudioError('bad_request', `no tensor named "${name}" in the model`);
}

/**
 * Heads without global pooling (VGG, AlexNet: Flatten + fully connected layers): the map is the input of
 * the Flatten/Reshape that feeds the classifier, and a max-pool right before it is skipped for the
 * finer map under it (the Grad-CAM paper uses VGG-16's last conv layer, 14×14, not pool5).
 */
function flattenHead(idx: GraphIndex, logits: string): HeadInfo {
  const none = { logits, pool: null, pooled: null, classifier: null };
  let t = logits;
  for (let guard = 0; guard < 64; guard++) {
    const p = idx.producer.get(t);
    if (!p) break;
    const next = idx.dataInput(p);
    if (!next) break;
    if (p.opType === 'Flatten' || p.opType === 'Reshape') {
      let target = next;
      let via = '';
      const below = idx.producer.get(target);
      if (below && (below.opType === 'MaxPool' || below.opType === 'AveragePool') && idx.producer.has(below.inputs[0])) {
        target = below.inputs[0];
        via = `, under ${below.opType} "${below.name}"`;
      }
      const prod = idx.producer.get(target);
      return {
        ...none,
        target,
        reason: `no global pooling: last feature map before ${p.opType} "${p.name}" feeds the classifier${via} (output of ${prod?.opType ?? 'input'} "${prod?.name ?? target}")`,
      };
    }
    t = next;
  }
  return { ...none, target: '', reason: 'no global pooling or flatten before the logits: name a layer with --layer' };
}
