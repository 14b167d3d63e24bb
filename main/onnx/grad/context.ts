// What a backward rule sees, and helpers shared by several rules (unbroadcast, spatial fitting).
import { StudioError } from '../../api/contract.js';
import { GraphBuilder } from '../builder.js';
import { aInt, attrInts, type Dim, type Node } from '../ir.js';
import { spatialPads } from '../shapes.js';

export interface RuleCtx {
  b: GraphBuilder;
  node: Node;
  /** δ of each output (null: no gradient reaches it). */
  gy: (string | null)[];
  /** Which inputs need a gradient (they depend on a differentiated tensor). */
  needs: boolean[];
  shape(name: string): Dim[];
  elemType(name: string): number;
  /** Value of a constant input, if it is one. */
  cval(name: string): number[] | undefined;
  /** The node that produces a tensor (undefined for inputs and initializers). */
  producer(name: string): Node | undefined;
}

/** Returns δ for each input (null where not needed or not differentiable). */
export type Rule = (c: RuleCtx) => (string | null)[];

/**
 * One op's entry in the rule table: its backward and the facts the driver needs about it. Every op in
 * the table is one the gradient engine accepts (SUPPORTED_OPS is derived from it).
 */
export interface OpRule {
  /** δ of each input. Absent: no output carries a gradient (shapes, comparisons, index arithmetic). */
  backward?: Rule;
  /**
   * Inputs broadcast numpy-style to output 0: the rule returns δ shaped like the output and the driver sums
   * each one back to its input's shape.
   */
  broadcasts?: boolean;
  /** Outputs that never carry a gradient (MaxPool's argmax indices, Dropout's mask). */
  nonDiffOutputs?: number[];
}

export type RuleTable = Record<string, OpRule>;

export function unsupported(n: Node, why: string): StudioError {
  return new StudioError('bad_model', `node "${n.name}" (${n.opType}): cannot differentiate: ${why}`);
}

/** The first output's δ, which most rules need; throws if absent (driver only calls with some δ). */
export function gy0(c: RuleCtx): string {
  const g = c.gy[0];
  if (!g) throw unsupported(c.node, 'no gradient for output 0');
  return g;
}

/**
 * Sums δ (shaped like the broadcast output) down to the shape of one operand: first over the
 * leading axes the operand lacks, then over axes where the operand has 1 and the output has not.
 */
export function unbroadcast(b: GraphBuilder, g: string, gShape: Dim[], target: Dim[]): string {
  const lead = gShape.length - target.length;
  let out = g;
  if (lead > 0) out = b.reduceSum(out, [...Array(lead).keys()], false);
  const axes: number[] = [];
  target.forEach((d, i) => {
    if (d === 1 && gShape[lead + i] !== 1) axes.push(i);
  });
  if (axes.length) out = b.reduceSum(out, axes, true);
  return out;
}

export interface SpatialAttrs {
  kernel: number[];
  strides: number[];
  dil: number[];
  pads: number[];
}

/** Kernel/strides/dilations/explicit pads of a Conv or pool node (auto_pad resolved when static). */
export function spatialAttrs(c: RuleCtx, kernelFallback?: number[]): SpatialAttrs {
  const n = c.node;
  const xs = c.shape(n.inputs[0]);
  const kernel = attrInts(n, 'kernel_shape') ?? kernelFallback;
  if (!kernel) throw unsupported(n, 'kernel_shape unknown');
  const r = kernel.length;
  const strides = attrInts(n, 'strides') ?? new Array(r).fill(1);
  const dil = attrInts(n, 'dilations') ?? new Array(r).fill(1);
  const pads = spatialPads(n, xs.slice(2), kernel, strides, dil);
  if (!pads) throw unsupported(n, 'auto_pad SAME with a dynamic input size: give the input a fixed size');
  return { kernel, strides, dil, pads };
}

/**
 * Cuts a "full" spatial gradient (as produced by ConvTranspose without pads) to the input's extent:
 * keeps [pb, pb + X) on every spatial axis, zero-padding the end first when strides left input rows
 * that no window touched.
 */
export function fitSpatial(b: GraphBuilder, full: string, fullSpatial: Dim[], x: string, xShape: Dim[], padsBegin: number[]): string {
  const r = padsBegin.length;
  const xs = xShape.slice(2);
  const axes = [...Array(r).keys()].map((i) => i + 2);
  let src = full;
  const allStatic = xs.every((d) => typeof d === 'number') && fullSpatial.every((d) => typeof d === 'number');
  if (allStatic) {
    const extra = xs.map((d, i) => Math.max(0, padsBegin[i] + (d as number) - (fullSpatial[i] as number)));
    if (extra.some((e) => e > 0)) {
      src = b.op('Pad', [src, b.constI64([0, 0, ...new Array(r).fill(0), 0, 0, ...extra])], {}, 'fitpad');
    }
    const needSlice = xs.some((d, i) => padsBegin[i] !== 0 || (d as number) + padsBegin[i] < (fullSpatial[i] as number) + extra[i]);
    if (!needSlice) return src;
    return b.op(
      'Slice',
      [src, b.constI64(padsBegin), b.constI64(xs.map((d, i) => (d as number) + padsBegin[i])), b.constI64(axes)],
      {},
      'fit',
    );
  }
  // Dynamic size: ends = pb + X at run time; pad the end by max(0, ends - full) (only strides leave a gap).
  const ends = b.add(b.shape(x, 2), b.constI64(padsBegin));
  const gap = b.op('Max', [b.sub(ends, b.shape(full, 2)), b.constI64(new Array(r).fill(0))], {}, 'gap');
  const pads = b.concatI([b.constI64([0, 0, ...new Array(r).fill(0), 0, 0]), gap]);
  src = b.op('Pad', [src, pads], {}, 'fitpad');
  return b.op('Slice', [src, b.constI64(padsBegin), ends, b.constI64(axes)], {}, 'fit');
}

/** Spatial size of a ConvTranspose without pads: (o-1)s + (k-1)d + 1. */
export function fullSize(o: Dim[], a: SpatialAttrs): Dim[] {
  return o.map((d, i) => (typeof d === 'number' ? (d - 1) * a.strides[i] + (a.kernel[i] - 1) * a.dil[i] + 1 : `full(${d})`));
}

/** Scatter-adds flat values into zeros shaped like x: the exact transpose of any gather of x's elements. */
export function scatterAddLike(b: GraphBuilder, x: string, flatIdx: string, flatVals: string): string {
  const n = b.op('Unsqueeze', [b.op('Size', [x]), b.constI64([0])], {}, 'n');
  const zeros = b.op(
    'ConstantOfShape',
    [n],
    {
      value: {
        type: 'tensor',
        value: { name: 'v', dataType: b.elemType, dims: [1], data: b.elemType === 11 ? Float64Array.of(0) : Float32Array.of(0) },
      },
    },
    'zeros',
  );
  const flat = b.op(
    'ScatterElements',
    [zeros, flatIdx, flatVals],
    { axis: aInt(0), reduction: { type: 'string', value: 'add' } },
    'scatter',
  );
  return b.reshape(flat, b.shape(x));
}

/** int64 tensor shaped like x holding each element's flat index (for index-tracking rules). */
export function flatIndexLike(b: GraphBuilder, x: string): string {
  const range = b.op('Range', [b.constI64([0], []), b.op('Size', [x]), b.constI64([1], [])], {}, 'range');
  return b.reshape(range, b.shape(x));
}

export const flatten1 = (b: GraphBuilder, t: string): string => b.reshape(t, b.constI64([-1]));
