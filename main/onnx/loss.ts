// Appends objective terms to a forward graph and sums them into one scalar "loss".
// Targets (content activations, style Grams) become extra graph inputs so one session serves any target.
import { GraphBuilder, INT64_MAX } from './builder.js';
import { aInt, type Dim } from './ir.js';

export type Objective =
  /** Σ y² over the whole tensor. */
  | { kind: 'sumsq'; tensor: string }
  /** mean(y²) (DeepDream's usual normalisation). */
  | { kind: 'meansq'; tensor: string }
  /** Σ y[:, channel]². */
  | { kind: 'channel'; tensor: string; channel: number }
  /** mean((y − target)²); the target is fed as input "target:<tensor>". */
  | { kind: 'content'; tensor: string }
  /** Σ G², G = F·Fᵀ / (C·H·W) with F = y reshaped to [N, C, H·W]. */
  | { kind: 'gram'; tensor: string }
  /** mean((G − target)²); the target Gram [N, C, C] is fed as input "gram:<tensor>". */
  | { kind: 'style'; tensor: string }
  /** Σ ((x[h+1,w]−x[h,w])² + (x[h,w+1]−x[h,w])² + ε)^(β/2) (Mahendran & Vedaldi). */
  | { kind: 'tv'; tensor: string; beta: number; eps?: number }
  /** Σ |x|^α. */
  | { kind: 'alphanorm'; tensor: string; alpha: number }
  /** Σ_n y[n, index] − l2 · Σ x² (class visualisation; l2 applies to `image`). */
  | { kind: 'class'; tensor: string; index: number; l2?: number; image?: string }
  /** −Σ_n log softmax(y)[n, index]. */
  | { kind: 'crossentropy'; tensor: string; index: number };

export interface WeightedObjective {
  objective: Objective;
  weight?: number;
}

export const targetInputName = (o: Objective): string | null =>
  o.kind === 'content' ? `target:${o.tensor}` : o.kind === 'style' ? `gram:${o.tensor}` : null;

/** G = F·Fᵀ / (C·H·W) of an [N, C, …] tensor: [N, C, C]. */
export function gram(b: GraphBuilder, y: string): string {
  const f = b.reshape(y, b.concatI([b.shape(y, 0, 2), b.constI64([-1])]));
  const ys = b.shapeOf(y);
  if (ys) b.setShape(f, { elemType: ys.elemType, shape: [ys.shape[0], ys.shape[1], ys.shape.slice(2).join('*') || 1] });
  const g = b.op('MatMul', [f, b.transpose(f, [0, 2, 1])], {}, 'gram');
  const chw = b.div(b.sizeF(y), b.castF(b.shape(y, 0, 1)));
  const out = b.div(g, chw);
  if (ys) b.setShape(out, { elemType: ys.elemType, shape: [ys.shape[0], ys.shape[1], ys.shape[1]] });
  return out;
}

const sumAll = (b: GraphBuilder, t: string) => b.op('ReduceSum', [t], { keepdims: aInt(0) }, 'sum');
const meanAll = (b: GraphBuilder, t: string) => b.op('ReduceMean', [t], { keepdims: aInt(0) }, 'mean');
const sumSq = (b: GraphBuilder, t: string) => b.op('ReduceSumSquare', [t], { keepdims: aInt(0) }, 'sumsq');

function term(b: GraphBuilder, o: Objective, cast: (t: string) => string): string {
  const y = cast(o.tensor);
  switch (o.kind) {
    case 'sumsq':
      return sumSq(b, y);
    case 'meansq':
      return meanAll(b, b.mul(y, y));
    case 'channel':
      return sumSq(b, b.op('Gather', [y, b.constI64([o.channel], [])], { axis: aInt(1) }, 'chan'));
    case 'content': {
      const d = b.sub(y, cast(addTargetInput(b, targetInputName(o)!, b.shapeOf(o.tensor))));
      return meanAll(b, b.mul(d, d));
    }
    case 'gram':
      return sumSq(b, gram(b, y));
    case 'style': {
      const s = b.shapeOf(y)?.shape;
      const t = b.shapeOf(o.tensor);
      const d = b.sub(gram(b, y), cast(addTargetInput(b, targetInputName(o)!, t && s ? { ...t, shape: [s[0], s[1], s[1]] } : undefined)));
      return meanAll(b, b.mul(d, d));
    }
    case 'tv': {
      const sl = (st: number[], en: number[]) => b.op('Slice', [y, b.constI64(st), b.constI64(en), b.constI64([2, 3])], {}, 'tvs');
      const base = sl([0, 0], [-1, -1]);
      const dh = b.sub(sl([1, 0], [INT64_MAX, -1]), base);
      const dw = b.sub(sl([0, 1], [-1, INT64_MAX]), base);
      const s = b.add(b.add(b.mul(dh, dh), b.mul(dw, dw)), b.constF([o.eps ?? 1e-8]));
      return sumAll(b, o.beta === 2 ? s : b.op('Pow', [s, b.constF([o.beta / 2])]));
    }
    case 'alphanorm':
      return sumAll(b, b.op('Pow', [b.op('Abs', [y]), b.constF([o.alpha])]));
    case 'class': {
      const logit = sumAll(b, b.op('Gather', [y, b.constI64([o.index], [])], { axis: aInt(1) }, 'logit'));
      if (!o.l2 || !o.image) return logit;
      return b.sub(logit, b.scale(sumSq(b, cast(o.image)), o.l2));
    }
    case 'crossentropy': {
      const ls = b.op('LogSoftmax', [y], { axis: aInt(1) }, 'logsm');
      return b.op('Neg', [sumAll(b, b.op('Gather', [ls, b.constI64([o.index], [])], { axis: aInt(1) }, 'ce'))]);
    }
  }
}

/**
 * A target fed by the caller, in the network's element type (what the runner feeds); with a float64 loss the
 * caller casts it like the network's own tensors.
 */
function addTargetInput(b: GraphBuilder, name: string, like: { elemType: number; shape: Dim[] } | undefined): string {
  if (!b.graph.inputs.some((v) => v.name === name)) {
    const elemType = like?.elemType ?? b.elemType;
    b.graph.inputs.push({ name, elemType, shape: like ? [...like.shape] : undefined });
    if (like) b.setShape(name, { elemType, shape: [...like.shape] });
  }
  return name;
}

export interface LossOptions {
  /**
   * Accumulate the objective in float64 (Cast right after the network). Costs little and removes the
   * float32 summation noise from the loss value, which finite-difference checks and line searches see.
   */
  double?: boolean;
}

/** Appends the weighted sum of the objectives; returns the scalar loss tensor (named `name`). */
export function buildLoss(b: GraphBuilder, terms: WeightedObjective[], name = 'loss', opts: LossOptions = {}): string {
  if (terms.length === 0) throw new Error('no objective terms');
  const casts = new Map<string, string>();
  const cast = (t: string): string => {
    if (!opts.double) return t;
    let c = casts.get(t);
    if (!c) {
      const s = b.shapeOf(t);
      c = b.op('Cast', [t], { to: aInt(11) }, 'f64');
      if (s) b.setShape(c, { elemType: 11, shape: [...s.shape] });
      casts.set(t, c);
    }
    return c;
  };
  const saved = b.elemType;
  if (opts.double) b.elemType = 11;
  const parts = terms.map((t) => b.scale(term(b, t.objective, cast), t.weight ?? 1));
  b.elemType = saved;
  const total = parts.length === 1 ? parts[0] : b.op('Sum', parts, {}, 'total');
  b.graph.nodes.push({ name: `${name}_node`, opType: 'Identity', domain: '', inputs: [total], outputs: [name], attrs: {} });
  return name;
}
