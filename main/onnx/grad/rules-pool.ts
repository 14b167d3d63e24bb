// Backward rules of pooling and LRN. MaxPool is exact through its argmax indices and a scatter-add;
// AveragePool is a ConvTranspose of δy/divisor with a ones kernel, the divisor itself measured with ops.
import { aInt, aInts, attrFloat, attrInt } from '../ir.js';
import { fitSpatial, flatten1, fullSize, gy0, scatterAddLike, spatialAttrs, unsupported, type Rule, type RuleTable } from './context.js';

/**
 * δx = scatter-add of δy into the argmax positions (overlapping windows accumulate). The forward's indices put
 * ORT's MaxPool on its scalar loop, yet every index-free alternative tried cost more in a LeNet-5 train step
 * (SpaceToDepth/ArgMax/DepthToSpace, or strided slices compared in scan order into MaxUnpool: 1.15× the step,
 * timed through the train graph's rules hook), so this is the only path. Ties go where the forward's argmax points: the first
 * maximum in scan order, as in PyTorch (tests/unit/onnx/maxpool-ties.test.ts).
 */
const maxPool: Rule = (c) => {
  const { b, node } = c;
  if (attrInt(node, 'storage_order', 0) !== 0) throw unsupported(node, 'storage_order=1');
  // Ask the forward node for its indices (flat offsets into x, NCHW) if it does not give them already.
  if (!node.outputs[1]) {
    node.outputs[1] = b.fresh('argmax');
    b.setShape(node.outputs[1], { elemType: 7, shape: c.shape(node.outputs[0]) });
  }
  const a = spatialAttrs(c);
  const overlapping = a.kernel.some((k, i) => (k - 1) * a.dil[i] + 1 > a.strides[i]);
  // Disjoint windows: each input element is the argmax of at most one window, so MaxUnpool (one
  // op, no zeros tensor to fill and scatter into) is the exact transpose. Overlaps need the add.
  if (!overlapping && attrInt(node, 'ceil_mode', 0) === 0) {
    const attrs = { kernel_shape: aInts(a.kernel), strides: aInts(a.strides), pads: aInts(a.pads) };
    return [b.op('MaxUnpool', [gy0(c), node.outputs[1], b.shape(node.inputs[0])], attrs, 'unpool')];
  }
  return [scatterAddLike(b, node.inputs[0], flatten1(b, node.outputs[1]), flatten1(b, gy0(c)))];
};

/**
 * AveragePool: y[o] = Σ_window x / D[o]. δx = ConvTranspose(δy / D, ones) cut to x. D is whatever
 * the forward op used (count_include_pad, ceil_mode): AvgPool(1) = V/D where V counts the valid
 * elements of each window (a zero-padded conv of ones), so 1/D = AvgPool(1)/V.
 */
const averagePool: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const xs = c.shape(x);
  const C = xs[1];
  if (typeof C !== 'number') throw unsupported(node, 'channel count must be static');
  const a = spatialAttrs(c);
  const r = a.kernel.length;
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const cip = attrInt(node, 'count_include_pad', 0) === 1;
  const K = a.kernel.reduce((p, q) => p * q, 1);
  const g = gy0(c);
  const noPads = a.pads.every((p) => p === 0);
  let scaled: string;
  if (!ceil && (cip || noPads)) scaled = b.scale(g, 1 / K);
  else {
    const ones1 = b.onesOfShape(b.concatI([b.shape(x, 0, 1), b.constI64([1]), b.shape(x, 2)]));
    const poolAttrs = { ...node.attrs };
    const avgOnes = b.op('AveragePool', [ones1], poolAttrs, 'avg1');
    const endPads = a.pads.slice(r).map((p, i) => p + (ceil ? a.strides[i] - 1 : 0));
    const kOnes = b.constArray(new Array(K).fill(1), [1, 1, ...a.kernel]);
    const vFull = b.op(
      'Conv',
      [ones1, kOnes],
      { strides: aInts(a.strides), pads: aInts([...a.pads.slice(0, r), ...endPads]), kernel_shape: aInts(a.kernel) },
      'valid',
    );
    const sp = [...Array(r).keys()].map((i) => i + 2);
    const v = b.op('Slice', [vFull, b.constI64(new Array(r).fill(0)), b.shape(node.outputs[0], 2), b.constI64(sp)], {}, 'validcut');
    scaled = b.mul(g, b.div(avgOnes, v));
  }
  const kernel = b.constArray(new Array(C * K).fill(1), [C, 1, ...a.kernel]);
  const full = b.op(
    'ConvTranspose',
    [scaled, kernel],
    { group: aInt(C), strides: aInts(a.strides), kernel_shape: aInts(a.kernel) },
    'avgT',
  );
  return [
    fitSpatial(b, full, fullSize(c.shape(node.outputs[0]).slice(2), { ...a, dil: a.kernel.map(() => 1) }), x, xs, a.pads.slice(0, r)),
  ];
};

/** GlobalMaxPool: δ goes to the first argmax of each plane (PyTorch's choice on ties), via ArgMax + scatter. */
const globalMaxPool: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const planes = b.reshape(x, b.concatI([b.shape(x, 0, 2), b.constI64([-1])]));
  const arg = b.op('ArgMax', [planes], { axis: aInt(2), keepdims: aInt(1) }, 'argmax');
  const g = b.reshape(gy0(c), b.concatI([b.shape(x, 0, 2), b.constI64([1])]));
  const zeros = b.zerosLike(planes);
  const scattered = b.op('ScatterElements', [zeros, arg, g], { axis: aInt(2) }, 'gmaxT');
  return [b.reshape(scattered, b.shape(x))];
};

/** δx = δy broadcast over the spatial extent / (H·W). */
const globalAveragePool: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const e = b.op('Expand', [gy0(c), b.shape(x)], {}, 'expand');
  return [b.mul(e, b.div(b.sizeF(node.outputs[0]), b.sizeF(x)))];
};

/**
 * LRN: y_c = x_c · d_c^-β, d_c = k + α/n · Σ_{c' ∈ win(c)} x_c'². δx_j = δy_j·d_j^-β −
 * (2αβ/n)·x_j·Σ_{c: j ∈ win(c)} δy_c·y_c/d_c. The channel-window sums are 3-D convs with a ones kernel;
 * the transposed window is mirrored (matters for even n).
 */
const lrn: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const rank = c.shape(x).length;
  if (rank !== 4) throw unsupported(node, 'LRN backward needs a 4-D input');
  const size = attrInt(node, 'size', 1);
  const alpha = attrFloat(node, 'alpha', 1e-4);
  const beta = attrFloat(node, 'beta', 0.75);
  const bias = attrFloat(node, 'bias', 1);
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  const kern = b.constArray(new Array(size).fill(1), [1, 1, size, 1, 1]);
  const chanSum = (t: string, before: number, after: number) => {
    const u = b.op('Unsqueeze', [t, b.constI64([1])]);
    const s = b.op('Conv', [u, kern], { pads: aInts([before, 0, 0, after, 0, 0]), kernel_shape: aInts([size, 1, 1]) }, 'chsum');
    return b.op('Squeeze', [s, b.constI64([1])]);
  };
  const d = b.add(b.constF([bias]), b.scale(chanSum(b.mul(x, x), lo, hi), alpha / size));
  const g = gy0(c);
  const y = node.outputs[0];
  const direct = b.mul(g, b.op('Pow', [d, b.constF([-beta])]));
  const inner = chanSum(b.div(b.mul(g, y), d), hi, lo);
  return [b.sub(direct, b.scale(b.mul(x, inner), (2 * alpha * beta) / size))];
};

export const poolRules: RuleTable = {
  MaxPool: { backward: maxPool, nonDiffOutputs: [1] },
  AveragePool: { backward: averagePool },
  GlobalAveragePool: { backward: globalAveragePool },
  GlobalMaxPool: { backward: globalMaxPool },
  LRN: { backward: lrn },
};
