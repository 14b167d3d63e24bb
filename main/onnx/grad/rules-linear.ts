// Backward rules of Conv, Gemm and MatMul: the transposed linear maps, plus weight/bias gradients.
import { aInt, aInts, attrFloat, attrInt, attrInts } from '../ir.js';
import { INT64_MAX } from '../builder.js';
import { fitSpatial, fullSize, gy0, spatialAttrs, unbroadcast, unsupported, type Rule, type RuleCtx, type RuleTable } from './context.js';

/**
 * W [M, C/g, k…] → W' [C, M/g, k…] with every kernel flipped: the weights of the stride-1 conv that
 * equals the transposed conv. Built from the initializer by ops that ORT constant-folds once.
 */
function flippedTransposedWeights(c: RuleCtx, w: string, wShape: number[], g: number): string {
  const { b } = c;
  const [M, Cg, ...k] = wShape;
  const r = k.length;
  const init = b.graph.initializers.get(w);
  if (init && (init.data instanceof Float32Array || init.data instanceof Float64Array)) {
    // A plain initializer: flip it here, so the backward conv reads an initializer too (later passes,
    // such as the Winograd lowering, only rewrite convs whose weights are known).
    const k2 = k.reduce((p, q) => p * q, 1);
    const src = init.data;
    const out = new (src.constructor as Float32ArrayConstructor)(src.length);
    const Mg = M / g;
    for (let gi = 0; gi < g; gi++)
      for (let m = 0; m < Mg; m++)
        for (let ci = 0; ci < Cg; ci++) {
          const from = ((gi * Mg + m) * Cg + ci) * k2;
          const to = ((gi * Cg + ci) * Mg + m) * k2;
          for (let e = 0; e < k2; e++) out[to + e] = src[from + k2 - 1 - e];
        }
    const name = b.fresh('wflip');
    b.graph.initializers.set(name, { name, dataType: init.dataType, dims: [g * Cg, Mg, ...k], data: out });
    return name;
  }
  let t = b.reshape(w, b.constI64([g, M / g, Cg, ...k]));
  t = b.transpose(t, [0, 2, 1, ...k.map((_, i) => i + 3)]);
  t = b.reshape(t, b.constI64([g * Cg, M / g, ...k]));
  const axes = k.map((_, i) => i + 2);
  return b.op(
    'Slice',
    [t, b.constI64(new Array(r).fill(-1)), b.constI64(new Array(r).fill(-INT64_MAX)), b.constI64(axes), b.constI64(new Array(r).fill(-1))],
    {},
    'flip',
  );
}

/**
 * Input channel counts up to this take the ConvTranspose path at stride 1 too. Measured on ORT 1.30's CPU
 * conv (bench/train/dconv.ts, 2 threads): the flipped conv im2cols all M·k² rows of δy for a GEMM
 * with only C output rows, ConvTranspose makes C·k² rows: C = 6, M = 16, 5×5 (LeNet's conv2) 0.24× the
 * time, C = 8–12 ~0.7×, C = 16 from 0.97× (M = 32) to 1.9× (M = 16), C ≥ 32 1.1–1.5×. In LeNet-5's train
 * step on a quiet machine (bench/train/profile.ts): that node 2.1–2.3 ms → 0.7 ms, the step ~8.7 → ~7.1 ms.
 */
const FEW_CHANNELS = 12;

/** δX of Conv: stride-1 convs become a conv with flipped weights (fast path), others a ConvTranspose cut to size. */
function convInputGrad(c: RuleCtx, g: string): string {
  const { b, node } = c;
  const [x, w] = node.inputs;
  const ws = c.shape(w);
  if (!ws.every((d) => typeof d === 'number')) throw unsupported(node, 'weight shape must be static');
  const wShape = ws as number[];
  const a = spatialAttrs(c, wShape.slice(2));
  const group = attrInt(node, 'group', 1);
  const r = a.kernel.length;
  const ke = a.kernel.map((k, i) => (k - 1) * a.dil[i]);
  const flipPads = [...ke.map((e, i) => e - a.pads[i]), ...ke.map((e, i) => e - a.pads[i + r])];
  const stride1 = a.strides.every((s) => s === 1) && flipPads.every((p) => p >= 0);
  // A δ with few channels (the image's 3, LeNet's 6) is an awkward output for ORT's conv; its
  // ConvTranspose (one GEMM and a col2im) is ~2–4× faster there (VGG19 conv1_1 at 448 px: 17 → 10 ms).
  // At stride 1 with the forward pads it is exactly X's size, so nothing needs cutting.
  if (stride1 && wShape[1] * group <= FEW_CHANNELS)
    return b.op(
      'ConvTranspose',
      [g, w],
      { group: aInt(group), dilations: aInts(a.dil), pads: aInts(a.pads), kernel_shape: aInts(a.kernel) },
      'dconvT',
    );
  if (stride1) {
    const wf = flippedTransposedWeights(c, w, wShape, group);
    return b.op(
      'Conv',
      [g, wf],
      { group: aInt(group), dilations: aInts(a.dil), pads: aInts(flipPads), kernel_shape: aInts(a.kernel) },
      'dconv',
    );
  }
  const full = b.op(
    'ConvTranspose',
    [g, w],
    { group: aInt(group), strides: aInts(a.strides), dilations: aInts(a.dil), kernel_shape: aInts(a.kernel) },
    'dconvT',
  );
  const ys = c.shape(node.outputs[0]);
  return fitSpatial(b, full, fullSize(ys.slice(2), a), x, c.shape(x), a.pads.slice(0, r));
}

/**
 * δW[m,c,k] = Σ_{n,o} δy[n,m,o] · Xpad[n, grp(m)·Cg + c, o·s + k·d]. im2col by a grouped Conv with one-hot
 * kernels, P[n, c·K + j, o] = Xpad[n, c, o·s + off_j·d] (K = ∏k; a 1×1 stride-1 conv's P is X), then per
 * sample and group one product P·δyᵀ, summed over the batch:
 * [N, g, Cg·K, O] × [N, g, O, M/g] → Σ_n → [g, Cg·K, M/g] → [M, Cg, k…].
 * (Before: a conv of X with batch and channels swapped and δy as its kernel, an image-sized kernel that ORT
 * ran 1.5–3× slower: ResNet-20's weight gradients at 128×32×32 took 1.1 s of a 1.5 s step.)
 */
function convWeightGrad(c: RuleCtx, g: string): string {
  const { b, node } = c;
  const [x, w] = node.inputs;
  const wShape = c.shape(w) as number[];
  const a = spatialAttrs(c, wShape.slice(2));
  const group = attrInt(node, 'group', 1);
  const [M, Cg] = wShape;
  const C = Cg * group;
  const K = a.kernel.reduce((p, q) => p * q, 1);
  let patches = x;
  if (K > 1 || a.strides.some((s) => s !== 1) || a.pads.some((p) => p !== 0)) {
    const onehot = new Array<number>(C * K * K).fill(0);
    for (let ci = 0; ci < C; ci++) for (let j = 0; j < K; j++) onehot[(ci * K + j) * K + j] = 1;
    const attrs = {
      group: aInt(C),
      strides: aInts(a.strides),
      dilations: aInts(a.dil),
      pads: aInts(a.pads),
      kernel_shape: aInts(a.kernel),
    };
    patches = b.op('Conv', [x, b.constArray(onehot, [C * K, 1, ...a.kernel])], attrs, 'im2col');
  }
  const P = b.reshape(patches, b.concatI([b.shape(x, 0, 1), b.constI64([group, Cg * K, -1])]));
  const D = b.transpose(b.reshape(g, b.concatI([b.shape(g, 0, 1), b.constI64([group, M / group, -1])])), [0, 1, 3, 2]);
  const perGroup = b.reduceSum(b.op('MatMul', [P, D], {}, 'dW'), [0], false);
  return b.reshape(b.transpose(perGroup, [0, 2, 1]), b.constI64([M, Cg, ...a.kernel]));
}

const conv: Rule = (c) => {
  const g = gy0(c);
  const rank = c.shape(c.node.inputs[0]).length;
  const out: (string | null)[] = c.node.inputs.map(() => null);
  if (c.needs[0]) out[0] = convInputGrad(c, g);
  if (c.needs[1]) out[1] = convWeightGrad(c, g);
  if (c.needs[2]) out[2] = c.b.reduceSum(g, [0, ...[...Array(rank - 2).keys()].map((i) => i + 2)], false);
  return out;
};

/** Y = α·op(A)·op(B) + β·C. */
const gemm: Rule = (c) => {
  const { b, node } = c;
  const [A, B, C] = node.inputs;
  const g = gy0(c);
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const tA = attrInt(node, 'transA', 0);
  const tB = attrInt(node, 'transB', 0);
  const gemmOp = (p: string, q: string, ta: number, tb: number) =>
    b.op('Gemm', [p, q], { alpha: { type: 'float', value: alpha }, transA: aInt(ta), transB: aInt(tb) }, 'dgemm');
  const out: (string | null)[] = [null, null, null];
  // δA = α·δY·op(B)ᵀ (transposed back when A was transposed)
  if (c.needs[0]) out[0] = tA ? gemmOp(B, g, tB, 1) : gemmOp(g, B, 0, 1 - tB);
  // δB = α·op(A)ᵀ·δY (transposed back when B was transposed)
  if (c.needs[1]) out[1] = tB ? gemmOp(g, A, 1, tA) : gemmOp(A, g, 1 - tA, 0);
  if (C && c.needs[2]) out[2] = unbroadcast(b, b.scale(g, beta), c.shape(node.outputs[0]), c.shape(C));
  return out;
};

/** Whether `t` is `a` with its last two axes swapped by a Transpose. */
function isTransposeOf(c: RuleCtx, t: string, a: string, rank: number): boolean {
  const p = c.producer(t);
  if (!p || p.opType !== 'Transpose' || p.inputs[0] !== a) return false;
  const perm = attrInts(p, 'perm');
  return !!perm && perm.length === rank && perm.every((v, i) => v === (i < rank - 2 ? i : i === rank - 2 ? rank - 1 : rank - 2));
}

/** Swap the last two axes. */
const tLast = (c: RuleCtx, t: string, rank: number) => c.b.transpose(t, [...[...Array(rank - 2).keys()], rank - 1, rank - 2]);

const matmul: Rule = (c) => {
  const { b, node } = c;
  const [A, B] = node.inputs;
  const g = gy0(c);
  const as = c.shape(A);
  const bs = c.shape(B);
  const ys = c.shape(node.outputs[0]);
  const out: (string | null)[] = [null, null];
  if (as.length >= 2 && bs.length >= 2 && isTransposeOf(c, B, A, as.length)) {
    // A Gram matrix Y = A·Aᵀ (style and texture losses): δA = (δY + δYᵀ)·A in one product of the small
    // δY with A, where the general rule would make two [C, HW] products, transposes and a sum.
    out[0] = b.op('MatMul', [b.add(g, tLast(c, g, ys.length)), A]);
    return out;
  }
  if (as.length >= 2 && bs.length >= 2) {
    if (c.needs[0]) out[0] = unbroadcast(b, b.op('MatMul', [g, tLast(c, B, bs.length)]), [...ys.slice(0, -1), as[as.length - 1]], as);
    if (c.needs[1])
      out[1] = unbroadcast(b, b.op('MatMul', [tLast(c, A, as.length), g]), [...ys.slice(0, -2), bs[bs.length - 2], ys[ys.length - 1]], bs);
    return out;
  }
  if (bs.length === 1 && as.length >= 2) {
    // y[..., m] = Σ_k A[..., m, k] B[k]
    const gu = b.op('Unsqueeze', [g, b.constI64([-1])]);
    if (c.needs[0]) out[0] = unbroadcast(b, b.mul(gu, B), [...ys, bs[0]], as);
    if (c.needs[1]) out[1] = unbroadcast(b, b.mul(A, gu), as, bs);
    return out;
  }
  if (as.length === 1 && bs.length >= 2) {
    // y[..., n] = Σ_k A[k] B[..., k, n]
    const gu = b.op('Unsqueeze', [g, b.constI64([-2])]);
    const prodShape = [...ys.slice(0, -1), as[0], ys[ys.length - 1]];
    if (c.needs[0]) out[0] = b.reduceSum(unbroadcast(b, b.mul(B, gu), prodShape, [as[0], 1]), [1], false);
    if (c.needs[1]) out[1] = unbroadcast(b, b.mul(b.op('Unsqueeze', [A, b.constI64([-1])]), gu), prodShape, bs);
    return out;
  }
  // both 1-D: y = a·b
  if (c.needs[0]) out[0] = b.mul(g, B);
  if (c.needs[1]) out[1] = b.mul(g, A);
  return out;
};

export const linearRules: RuleTable = { Conv: { backward: conv }, Gemm: { backward: gemm }, MatMul: { backward: matmul } };
