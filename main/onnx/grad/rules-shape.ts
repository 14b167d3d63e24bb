// Backward rules of data-movement and reduction ops. Pure reshapes reshape δ back; selections
// (Slice, Gather, non-constant Pad) are transposed exactly by running the same op on a tensor of flat
// indices and scatter-adding δ to those positions.
import { aInt, attrInt, attrInts, attrString, type Node } from '../ir.js';
import { flatIndexLike, flatten1, gy0, scatterAddLike, unsupported, type Rule, type RuleCtx } from './context.js';

const reshapeBack: Rule = (c) => c.node.inputs.map((x, i) => (i === 0 && c.needs[0] ? c.b.reshape(gy0(c), c.b.shape(x)) : null));

const transpose: Rule = (c) => {
  const rank = c.shape(c.node.inputs[0]).length;
  const perm = attrInts(c.node, 'perm') ?? [...Array(rank).keys()].reverse();
  const inv = new Array<number>(rank);
  perm.forEach((p, i) => (inv[p] = i));
  return [c.b.transpose(gy0(c), inv)];
};

const normAxis = (a: number, r: number) => (a < 0 ? a + r : a);

/** δ of each Concat input is its slab of δy. */
const concat: Rule = (c) => {
  const { b, node } = c;
  const rank = c.shape(node.inputs[0]).length;
  const ax = normAxis(attrInt(node, 'axis', 0), rank);
  const sizes = b.concatI(node.inputs.map((x) => b.shape(x, ax, ax + 1)));
  const parts = b.opN('Split', [gy0(c), sizes], { axis: aInt(ax) }, 'dsplit', node.inputs.length);
  return parts.map((p, i) => (c.needs[i] ? p : null));
};

/** δx = concat of the outputs' δ, zeros where an output got none. */
const split: Rule = (c) => {
  const { b, node } = c;
  const rank = c.shape(node.inputs[0]).length;
  const ax = normAxis(attrInt(node, 'axis', 0), rank);
  const parts = node.outputs.map((o, i) => c.gy[i] ?? b.zerosLike(o));
  return [b.op('Concat', parts, { axis: aInt(ax) }, 'dconcat'), null];
};

/** Re-runs the selecting node on flat indices; δx = scatter-add(δy at those indices). */
function indexTracking(c: RuleCtx, rebuild: (idx: string) => string): string {
  const { b, node } = c;
  const x = node.inputs[0];
  const sel = rebuild(flatIndexLike(b, x));
  return scatterAddLike(b, x, flatten1(b, sel), flatten1(b, gy0(c)));
}

const cloneOn = (c: RuleCtx, n: Node, idx: string) =>
  c.b.op(n.opType, [idx, ...n.inputs.slice(1)], { ...n.attrs }, `idx_${n.opType.toLowerCase()}`);

const slice: Rule = (c) => [indexTracking(c, (idx) => cloneOn(c, c.node, idx)), null, null, null, null];
const gather: Rule = (c) => [indexTracking(c, (idx) => cloneOn(c, c.node, idx)), null];

/** Constant Pad with non-negative pads: δx is the interior slab of δy; other modes track indices. */
const pad: Rule = (c) => {
  const { b, node } = c;
  const mode = attrString(node, 'mode', 'constant');
  const pads = node.inputs[1] ? c.cval(node.inputs[1]) : attrInts(node, 'pads');
  const x = node.inputs[0];
  const rank = c.shape(x).length;
  if (!pads) throw unsupported(node, 'pads must be constant');
  if (mode === 'constant' && pads.every((p) => p >= 0)) {
    const begin = pads.slice(0, rank);
    const ends = b.add(b.shape(x), b.constI64(begin));
    return [b.op('Slice', [gy0(c), b.constI64(begin), ends], {}, 'unpad'), null, null, null];
  }
  if (mode === 'constant') throw unsupported(node, 'negative pads in constant mode');
  return [indexTracking(c, (idx) => cloneOn(c, node, idx)), null, null, null];
};

/** Reductions: δx = expand(δy with the reduced axes restored) [· 1/count for the mean, · 2x for sum-square]. */
function reduce(kind: 'sum' | 'mean' | 'sumsq'): Rule {
  return (c) => {
    const { b, node } = c;
    const x = node.inputs[0];
    const rank = c.shape(x).length;
    const axesInput = node.opType === 'ReduceSum' && !node.attrs.axes;
    const axesRaw = axesInput ? (node.inputs[1] ? c.cval(node.inputs[1]) : []) : (attrInts(node, 'axes') ?? []);
    if (!axesRaw) throw unsupported(node, 'axes must be constant');
    const noop = attrInt(node, 'noop_with_empty_axes', 0) === 1;
    let g = gy0(c);
    if (!(axesRaw.length === 0 && noop)) {
      const axes = axesRaw.length ? axesRaw.map((a) => normAxis(a, rank)) : [...Array(rank).keys()];
      if (attrInt(node, 'keepdims', 1) === 0) g = b.op('Unsqueeze', [g, b.constI64(axes)]);
      g = b.op('Expand', [g, b.shape(x)], {}, 'expand');
      if (kind === 'mean') g = b.mul(g, b.div(b.sizeF(node.outputs[0]), b.sizeF(x)));
    }
    if (kind === 'sumsq') g = b.mul(g, b.scale(x, 2));
    return [g, null];
  };
}

/** Non-differentiable outputs (shapes, sizes): no δ flows back. */
const none: Rule = (c) => c.node.inputs.map(() => null);

export const shapeRules: Record<string, Rule> = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Pad: pad,
  ReduceSum: reduce('sum'),
  ReduceMean: reduce('mean'),
  ReduceSumSquare: reduce('sumsq'),
  Shape: none,
  Size: none,
};
