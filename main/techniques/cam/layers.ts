// Finds, from the graph alone, what the CAM family needs: the pre-softmax logits, the global pooling,
// the suggested target layer (with a one-line reason) and, where the head is GAP + linear, the
// classifier weights that plain CAM (Zhou et al. 2016) uses. Transformer heads (a class token or a mean
// over tokens) get a token sequence as target, shown on its patch grid (tokens.ts).
import { StudioError } from '../../api/contract';
import { attrFloat, attrInt, attrInts, cloneModel, realInputs, tensorNumbers, type Dim, type Model, type Node } from '../../onnx/ir';
import { inferShapes, type ShapeMap } from '../../onnx/shapes';
import type { GraphIndex } from '../shared/graph-index';
import { patchGrid, tokenReadout, tokenTarget, type TokenGrid } from './tokens';

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
  /** The target is a token sequence [N, T, C], seen on this patch grid (vision transformers). */
  tokens: TokenGrid | null;
}

/** Smallest map side the default target keeps when a finer map lies under it (Grad-CAM's AlexNet conv5, 13×13). */
export const MIN_MAP_SIDE = 7;

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
/** Ops between the pool and the logits (after global pooling nothing spatial is left to mix). */
const HEAD_PASS = new Set([
  ...NONLINEAR,
  'LayerNormalization',
  'Erf',
  'Cast',
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

/** Ops a head may have for plain CAM (logits = W · GAP(A) + b): reshapes and one linear layer. */
const LINEAR_HEAD = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Gemm', 'MatMul', 'Conv', 'Add']);

const analysed = new WeakMap<Model, Map<string, HeadInfo>>();

/**
 * The head of a classifier and the suggested CAM layer, at the given input size (default: the model's own,
 * or 224 where it is dynamic). Cached per parsed model and size.
 */
export function analyseHead(model: Model, idx: GraphIndex, outputName?: string, inputSize?: [number, number]): HeadInfo {
  const key = `${outputName ?? ''}|${inputSize?.join('x') ?? ''}`;
  const byModel = analysed.get(model) ?? new Map<string, HeadInfo>();
  analysed.set(model, byModel);
  const hit = byModel.get(key);
  if (hit) return hit;
  const head = findHead(model, idx, shapesAt(model, inputSize), outputName);
  byModel.set(key, head);
  return head;
}

/** Shapes at batch 1 and a concrete input size; null where the graph cannot be inferred. */
export function shapesAt(model: Model, size?: [number, number]): ShapeMap | null {
  const m = cloneModel(model);
  const inp = realInputs(m.graph)[0];
  if (!inp?.shape || inp.shape.length !== 4) return null;
  const s = inp.shape;
  const nchw = s[1] === 3 || s[3] !== 3;
  const side = (d: Dim | undefined, i: 0 | 1) => size?.[i] ?? (typeof d === 'number' ? d : 224);
  const [h, w] = nchw ? [side(s[2], 0), side(s[3], 1)] : [side(s[1], 0), side(s[2], 1)];
  inp.shape = nchw ? [1, s[1], h, w] : [1, h, w, s[3]];
  m.graph.valueInfo.clear();
  try {
    return inferShapes(m);
  } catch {
    return null;
  }
}

function findHead(model: Model, idx: GraphIndex, shapes: ShapeMap | null, outputName?: string): HeadInfo {
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
    const tokens = shapes && tokenReadout(p, idx, shapes);
    if (tokens && shapes) return tokenHead(model, shapes, logits, p, tokens);
    if (!HEAD_PASS.has(p.opType)) break;
    const next = idx.dataInput(p);
    if (!next) break;
    headNodes.push(p);
    t = next;
  }
  if (!pool) return atLeast7(idx, shapes, flattenHead(idx, logits));
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
  return atLeast7(idx, shapes, { logits, pool, pooled, target, reason, classifier, tokens: null });
}

/** A transformer head: the class token (or the mean of the tokens) of a sequence feeds the classifier. */
function tokenHead(model: Model, shapes: ShapeMap, logits: string, readout: Node, tokens: string): HeadInfo {
  const { tensor, why } = tokenTarget(model, readout, tokens, shapes);
  const grid = patchGrid(model, tensor, shapes);
  const what = readout.opType === 'ReduceMean' ? 'the mean of the tokens' : `the class token (${readout.opType} "${readout.name}")`;
  const none = { logits, pool: null, pooled: null, classifier: null, target: tensor };
  if (!grid)
    return {
      ...none,
      tokens: null,
      reason: `transformer head (${what}) but no patch grid found for its ${shapes.get(tensor)?.shape[1]} tokens: name a spatial layer with --layer`,
    };
  return { ...none, tokens: grid, reason: `transformer: ${what} feeds the classifier; tokens after ${why}, as the ${grid.how}` };
}

const side = (shapes: ShapeMap | null, t: string): [number, number] | null => {
  const s = shapes?.get(t)?.shape;
  return s && s.length === 4 && typeof s[2] === 'number' && typeof s[3] === 'number' ? [s[2], s[3]] : null;
};

/**
 * Where the suggested map is smaller than 7×7 and a finer one lies under it (AlexNet's pool5 is 6×6 over
 * conv5's 13×13), the last map of at least 7×7 along the data path: a map that coarse says little.
 */
function atLeast7(idx: GraphIndex, shapes: ShapeMap | null, head: HeadInfo): HeadInfo {
  const start = side(shapes, head.target);
  if (!start || (start[0] >= MIN_MAP_SIDE && start[1] >= MIN_MAP_SIDE)) return head;
  let t = head.target;
  for (let guard = 0; guard < 64; guard++) {
    const p = idx.producer.get(t);
    if (!p) return head;
    const next = idx.dataInput(p) ?? p.inputs.find((i) => i && !idx.isConst(i) && side(shapes, i));
    if (!next || !side(shapes, next)) return head;
    t = next;
    const [h, w] = side(shapes, t)!;
    if (h >= MIN_MAP_SIDE && w >= MIN_MAP_SIDE) {
      const prod = idx.producer.get(t);
      const at = prod ? `output of ${prod.opType} "${prod.name}"` : `"${t}"`;
      return {
        ...head,
        target: t,
        classifier: null,
        reason: `${head.reason}; that map is ${start[0]}×${start[1]}, so the last map of at least ${MIN_MAP_SIDE}×${MIN_MAP_SIDE} under it: ${h}×${w}, ${at}`,
      };
    }
  }
  return head;
}

/** W with logits = W · GAP(target) (+ b): from a 1×1 conv before the pool, or a Gemm/MatMul after it. */
function linearClassifier(idx: GraphIndex, before: Node[], after: Node[]): Classifier | null {
  if ([...before, ...after].some((n) => !LINEAR_HEAD.has(n.opType) && n.opType !== 'BatchNormalization')) return null;
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
  const none = { logits, pool: null, pooled: null, classifier: null, tokens: null };
  let t = logits;
  for (let guard = 0; guard < 64; guard++) {
    const p = idx.producer.get(t);
    if (!p) break;
    const next = idx.dataInput(p);
    if (!next) break;
    if (p.opType === 'Flatten' || p.opType === 'Reshape') {
      let target = next;
      const skipped: string[] = [];
      // torchvision adds an adaptive AveragePool (7→7, 6→6) after pool5: both are skipped.
      for (let below = idx.producer.get(target); below && (below.opType === 'MaxPool' || below.opType === 'AveragePool');) {
        if (!idx.producer.has(below.inputs[0]) || skipped.length >= 2) break;
        skipped.push(`${below.opType} "${below.name}"`);
        target = below.inputs[0];
        below = idx.producer.get(target);
      }
      const via = skipped.length ? `, under ${skipped.join(' and ')}` : '';
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
