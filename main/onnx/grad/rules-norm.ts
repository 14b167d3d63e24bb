// Backward rules of BatchNormalization in both modes. Statistics are per channel (axis 1), taken over
// N and the spatial axes; m is the number of values per channel, s = 1/√(σ² + ε), x̂ = (x − μ)·s.
import { aFloat, attrFloat, attrInt } from '../ir.js';
import type { GraphBuilder } from '../builder.js';
import { gy0, unsupported, type Rule, type RuleCtx } from './context.js';

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

export const normRules: Record<string, Rule> = { BatchNormalization: batchNorm };
