// Backward rules of the normalisations: BatchNormalization in both modes, LayerNormalization,
// InstanceNormalization and GroupNormalization. m is the number of values a statistic runs over,
// s = 1/√(σ² + ε), x̂ = (x − μ)·s.
import { aFloat, attrFloat, attrInt, type Dim } from '../ir.js';
import type { GraphBuilder } from '../builder.js';
import { gy0, unbroadcast, unsupported, type Rule, type RuleCtx, type RuleTable } from './context.js';

/** The axes a channel's statistics run over: 0 and 2… (rank 2 for BN after a Gemm). */
const statAxes = (rank: number) => [0, ...Array.from({ length: Math.max(0, rank - 2) }, (_, i) => i + 2)];

/** A [C] tensor shaped to broadcast against [N, C, spatial…]. */
const perChannel = (b: GraphBuilder, t: string, rank: number) =>
  b.reshape(t, b.constI64([-1, ...new Array(Math.max(0, rank - 2)).fill(1)]));

const invStd = (b: GraphBuilder, variance: string, eps: number) =>
  b.op('Reciprocal', [b.op('Sqrt', [b.add(variance, b.constF([eps]))])], {}, 'bn_s');

/**
 * Inference mode (μ, σ² the running statistics, constants of the step): y = γ·(x − μ)·s + β is per-channel affine.
 *   δx = δy·γ·s,   δγ = Σ δy·(x − μ)·s,   δβ = Σ δy.
 * The running statistics are buffers (torch: requires_grad=False) and get no δ; a graph that computes them
 * from a differentiated tensor is refused rather than given a silently partial gradient (training uses
 * training_mode=1, below).
 */
const inference: Rule = (c) => {
  const { b, node } = c;
  const [x, gamma, , mean, variance] = node.inputs;
  if (c.needs[3] || c.needs[4])
    throw unsupported(node, 'mean/var inputs depend on a differentiated tensor: use training_mode=1 for batch statistics');
  const rank = c.shape(x).length;
  const g = gy0(c);
  const s = invStd(b, variance, attrFloat(node, 'epsilon', 1e-5));
  const out: (string | null)[] = [null, null, null, null, null];
  if (c.needs[0]) out[0] = b.mul(g, perChannel(b, b.mul(gamma, s), rank));
  if (c.needs[1]) {
    const centred = b.sub(x, perChannel(b, mean, rank));
    out[1] = b.mul(b.reduceSum(b.mul(g, centred), statAxes(rank), false), s);
  }
  if (c.needs[2]) out[2] = b.reduceSum(g, statAxes(rank), false);
  return out;
};

/**
 * μ_B and σ²_B (biased, as the forward normalises with). Outputs 1, 2 are running = running·momentum +
 * batch·(1 − momentum) (ONNX's convention): with momentum 0 they are the batch statistics themselves. When
 * nothing reads them the node is asked for them with momentum 0 (unobservable otherwise), as MaxPool is asked
 * for its indices; when they are read with another momentum, the statistics are recomputed.
 */
function batchStats(c: RuleCtx, rank: number): { mean: string; variance: string } {
  const { b, node } = c;
  if (!node.outputs[1] && !node.outputs[2]) {
    node.attrs.momentum = aFloat(0);
    node.outputs[1] = b.fresh('bn_mean');
    node.outputs[2] = b.fresh('bn_var');
  }
  if (node.outputs[1] && node.outputs[2] && attrFloat(node, 'momentum', 0.9) === 0)
    return { mean: node.outputs[1], variance: node.outputs[2] };
  const x = node.inputs[0];
  const axes = { axes: { type: 'ints' as const, value: statAxes(rank) }, keepdims: { type: 'int' as const, value: 0 } };
  const mean = b.op('ReduceMean', [x], axes, 'bn_mu');
  const d = b.sub(x, perChannel(b, mean, rank));
  return { mean, variance: b.op('ReduceMean', [b.mul(d, d)], axes, 'bn_var') };
}

/**
 * Training mode, y = γ·x̂ + β with the batch's own μ_B, σ²_B, which depend on x:
 *   δβ = Σ δy,   δγ = Σ δy·x̂,
 *   δx = γ·s·(δy − mean(δy) − x̂·mean(δy·x̂)) = k·δy + a·(x − μ_B) + c
 * with, per channel, k = γ·s, a = −k·s·δγ/m, c = −k·δβ/m (the last two terms are the paths through μ_B
 * and σ²_B). The running-statistics outputs carry no gradient.
 */
const training: Rule = (c) => {
  const { b, node } = c;
  if (c.gy[1] || c.gy[2]) throw unsupported(node, 'the loss reads the running-statistics outputs');
  const [x, gamma] = node.inputs;
  const rank = c.shape(x).length;
  const axes = statAxes(rank);
  const g = gy0(c);
  const { mean, variance } = batchStats(c, rank);
  const s = invStd(b, variance, attrFloat(node, 'epsilon', 1e-5));
  const d = b.sub(x, perChannel(b, mean, rank));
  const dBeta = b.reduceSum(g, axes, false);
  const dGamma = b.mul(b.reduceSum(b.mul(g, d), axes, false), s);
  const out: (string | null)[] = [null, null, null, null, null];
  if (c.needs[0]) {
    const k = b.mul(gamma, s);
    const invM = b.div(b.sizeF(mean), b.sizeF(x));
    const a = b.op('Neg', [b.mul(b.mul(k, s), b.mul(dGamma, invM))]);
    const cc = b.op('Neg', [b.mul(k, b.mul(dBeta, invM))]);
    out[0] = b.op('Sum', [b.mul(g, perChannel(b, k, rank)), b.mul(d, perChannel(b, a, rank)), perChannel(b, cc, rank)], {}, 'bn_dx');
  }
  if (c.needs[1]) out[1] = dGamma;
  if (c.needs[2]) out[2] = dBeta;
  return out;
};

const batchNorm: Rule = (c) => (attrInt(c.node, 'training_mode', 0) === 1 ? training(c) : inference(c));

/** Mean over axes (kept), as ReduceSum · 1/m: valid at every opset ≥ 13 (ReduceMean's axes became an input at 18). */
function meanOver(b: GraphBuilder, t: string, axes: number[], shape: Dim[]): string {
  const sum = b.reduceSum(t, axes, true);
  const m = axes.map((a) => shape[a]);
  if (m.every((d): d is number => typeof d === 'number')) return b.scale(sum, 1 / m.reduce((p, q) => p * q, 1));
  return b.mul(sum, b.div(b.sizeF(sum), b.sizeF(t)));
}

/** x̂ = (x − μ)·s with μ and σ² (biased) over `axes`, recomputed with ops (as the forward op did). */
function standardise(b: GraphBuilder, x: string, axes: number[], shape: Dim[], eps: number): { xhat: string; s: string } {
  const d = b.sub(x, meanOver(b, x, axes, shape));
  const s = invStd(b, meanOver(b, b.mul(d, d), axes, shape), eps);
  return { xhat: b.mul(d, s), s };
}

/** δx from δx̂ through the statistics: s·(δx̂ − mean(δx̂) − x̂·mean(δx̂·x̂)). */
function throughStandardise(b: GraphBuilder, gxhat: string, xhat: string, s: string, axes: number[], shape: Dim[]): string {
  const m1 = meanOver(b, gxhat, axes, shape);
  const m2 = meanOver(b, b.mul(gxhat, xhat), axes, shape);
  return b.mul(s, b.sub(b.sub(gxhat, m1), b.mul(xhat, m2)));
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * LayerNormalization over axes [axis, rank): y = γ·x̂ + β with γ, β broadcast over the normalised dims.
 *   δx = s·(δx̂ − mean(δx̂) − x̂·mean(δx̂·x̂)), δx̂ = δy·γ;   δγ = Σ δy·x̂,   δβ = Σ δy (over the other axes).
 */
const layerNorm: Rule = (c) => {
  const { b, node } = c;
  if (c.gy[1] || c.gy[2]) throw unsupported(node, 'the loss reads the Mean/InvStdDev outputs');
  const [x, scale, bias] = node.inputs;
  const xs = c.shape(x);
  const r = xs.length;
  const axis = attrInt(node, 'axis', -1);
  const axes = range(axis < 0 ? axis + r : axis, r);
  const { xhat, s } = standardise(b, x, axes, xs, attrFloat(node, 'epsilon', 1e-5));
  const g = gy0(c);
  return [
    c.needs[0] ? throughStandardise(b, b.mul(g, scale), xhat, s, axes, xs) : null,
    c.needs[1] ? unbroadcast(b, b.mul(g, xhat), xs, c.shape(scale)) : null,
    bias && c.needs[2] ? unbroadcast(b, g, xs, c.shape(bias)) : null,
  ];
};

/** InstanceNormalization: per sample and channel over the spatial axes; γ, β per channel. */
const instanceNorm: Rule = (c) => {
  const { b, node } = c;
  const [x, scale] = node.inputs;
  const xs = c.shape(x);
  const r = xs.length;
  const spatial = range(2, r);
  const { xhat, s } = standardise(b, x, spatial, xs, attrFloat(node, 'epsilon', 1e-5));
  const g = gy0(c);
  return [
    c.needs[0] ? throughStandardise(b, b.mul(g, perChannel(b, scale, r)), xhat, s, spatial, xs) : null,
    c.needs[1] ? b.reduceSum(b.mul(g, xhat), [0, ...spatial], false) : null,
    c.needs[2] ? b.reduceSum(g, [0, ...spatial], false) : null,
  ];
};

/**
 * GroupNormalization: statistics per sample over each group of C/G channels and the spatial axes (x seen
 * as [N, G, C/G·spatial]). γ, β are per group at opset 18 ([G]) and per channel from opset 21 ([C]).
 */
const groupNorm: Rule = (c) => {
  const { b, node } = c;
  const [x, scale] = node.inputs;
  const xs = c.shape(x);
  const r = xs.length;
  const G = attrInt(node, 'num_groups', 1);
  const C = xs[1];
  const perGroup = c.shape(scale)[0] === G;
  if (perGroup && typeof C !== 'number') throw unsupported(node, 'per-group scale needs a static channel count');
  const rest = xs.slice(1);
  const M = rest.every((d): d is number => typeof d === 'number') ? rest.reduce((p, q) => p * q, 1) / G : `${node.name}/M`;
  const gs: Dim[] = [xs[0], G, M];
  const asGroups = (t: string) => b.reshape(t, b.concatI([b.shape(x, 0, 1), b.constI64([G, -1])]));
  const { xhat: xhatG, s } = standardise(b, asGroups(x), [2], gs, attrFloat(node, 'epsilon', 1e-5));
  const xhat = b.reshape(xhatG, b.shape(x));
  const gammaC = perGroup
    ? perChannel(b, b.op('Expand', [b.reshape(scale, b.constI64([G, 1])), b.constI64([G, (C as number) / G])]), r)
    : perChannel(b, scale, r);
  const g = gy0(c);
  const perParam = (t: string) => (perGroup ? b.reduceSum(asGroups(t), [0, 2], false) : b.reduceSum(t, [0, ...range(2, r)], false));
  return [
    c.needs[0] ? b.reshape(throughStandardise(b, asGroups(b.mul(g, gammaC)), xhatG, s, [2], gs), b.shape(x)) : null,
    c.needs[1] ? perParam(b.mul(g, xhat)) : null,
    c.needs[2] ? perParam(g) : null,
  ];
};

export const normRules: RuleTable = {
  BatchNormalization: { backward: batchNorm },
  LayerNormalization: { backward: layerNorm },
  InstanceNormalization: { backward: instanceNorm },
  GroupNormalization: { backward: groupNorm },
};
