// Backward rules of data-movement and reduction ops. Pure reshapes reshape δ back; selections
// (Slice, Gather, non-constant Pad) are transposed exactly by running the same op on a tensor of flat
// indices and scatter-adding δ to those positions.
import { aInt, attrInt, attrInts, attrString, type Node } from '../ir.js';
import { flatIndexLike, flatten1, gy0, scatterAddLike, unsupported, type Rule, type RuleCtx, type RuleTable } from './context.js';

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
  if (!pads && mode === 'constant' && !node.inputs[3]) {
    // Pads computed at run time (PyTorch's F.pad with sizes from shapes, as Swin pads to its window): the
    // interior slab at begin = pads[:rank], which exporters only ever compute as ≥ 0.
    const begin = b.op('Slice', [node.inputs[1], b.constI64([0]), b.constI64([rank])], {}, 'padbegin');
    return [b.op('Slice', [gy0(c), begin, b.add(b.shape(x), begin)], {}, 'unpad'), null, null, null];
  }
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
    // Axes as an input: ReduceSum from opset 13, the others from 18.
    const axesInput = !node.attrs.axes && (node.opType === 'ReduceSum' || node.inputs.length > 1);
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

/** Expand broadcasts x to the output; the driver sums δy back to x's shape. */
const expand: Rule = (c) => [c.needs[0] ? gy0(c) : null, null];

/** GatherElements: δdata = scatter-add of δy at the same indices along the axis. */
const gatherElements: Rule = (c) => {
  const { b, node } = c;
  const [data, indices] = node.inputs;
  const attrs = { axis: aInt(attrInt(node, 'axis', 0)), reduction: { type: 'string' as const, value: 'add' } };
  return [b.op('ScatterElements', [b.zerosLike(data), indices, gy0(c)], attrs, 'gatherT'), null];
};

/**
 * ScatterND (reduction none or add): updates land at the indexed slices, so δupdates = GatherND(δy, idx);
 * without reduction the overwritten slices of data get no δ (zeros scattered there), with add they all do.
 */
const scatterND: Rule = (c) => {
  const { b, node } = c;
  const [, indices, updates] = node.inputs;
  const reduction = attrString(node, 'reduction', 'none');
  if (reduction !== 'none' && reduction !== 'add') throw unsupported(node, `reduction "${reduction}"`);
  const g = gy0(c);
  return [
    c.needs[0] ? (reduction === 'add' ? g : b.op('ScatterND', [g, indices, b.zerosLike(updates)], {}, 'unscatter')) : null,
    null,
    c.needs[2] ? b.op('GatherND', [g, indices], {}, 'scatterT') : null,
  ];
};

export const shapeRules: RuleTable = {
  Expand: { backward: expand, broadcasts: true },
  GatherElements: { backward: gatherElements },
  ScatterND: { backward: scatterND },
  Flatten: { backward: reshapeBack },
  Reshape: { backward: reshapeBack },
  Squeeze: { backward: reshapeBack },
  Unsqueeze: { backward: reshapeBack },
  Transpose: { backward: transpose },
  Concat: { backward: concat },
  Split: { backward: split },
  Slice: { backward: slice },
  Gather: { backward: gather },
  Pad: { backward: pad },
  ReduceSum: { backward: reduce('sum') },
  ReduceMean: { backward: reduce('mean') },
  ReduceSumSquare: { backward: reduce('sumsq') },
};
