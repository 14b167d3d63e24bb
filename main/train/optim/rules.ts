// The update rules of the optimisers, one per torch.optim algorithm box, generic over precision:
// float32 in the order torch's CPU kernels round (training, see OptimizerOptions.fusedMultiplyAdd) or
// float64 (the optimiser playground's paths, torch.optim on float64 tensors). One implementation: the
// precision is a flag fixed per rule instance (see rd). Node-free, like the rest of this folder.
import { AdamSimd, type AdamScalars } from './adam-simd.js';
import type { OptimizerId, ParamState, UpdateRule } from './optimizers.js';

/** The float width a rule computes in: its parameters, gradients and state buffers are this kind of array. */
export type Precision = 'float32' | 'float64';
/** Parameters, gradients and state of either precision. */
export type Vec = Float32Array | Float64Array;

const fr = Math.fround;

/**
 * Round to the rule's precision: float32 (single) or not at all (float64). One function for both, the
 * precision a boolean fixed per rule instance and copied to a local in each step, so every call site has one
 * target that the compiler inlines into a predictable branch. (Closures chosen per precision, fround vs
 * identity, made the shared loops polymorphic: float32 steps 2–20× slower once the float64 rules had run in
 * the same process; bench/playground/optimizer-step.ts.)
 */
function rd(x: number, single: boolean): number {
  return single ? fr(x) : x;
}

/**
 * a·b + c fused (one rounding) or plain (two). For float32, a, b, c are float32 values, so a·b is exact in
 * float64 and one fround gives the fused result (except on a double-rounding tie, ~2⁻²⁹); for float64 both are
 * the plain a·b + c (JS has no fma; torch's float64 kernels on the playground's two-element tensors take
 * their scalar loop).
 */
function mad(a: number, b: number, c: number, fused: boolean, single: boolean): number {
  if (!single) return a * b + c;
  return fused ? fr(a * b + c) : fr(fr(a * b) + c);
}

function buffer(s: ParamState<Vec>, name: string, n: number, single: boolean, fill = 0): Vec {
  let b = s.buffers[name];
  if (!b) {
    b = single ? new Float32Array(n) : new Float64Array(n);
    if (fill !== 0) b.fill(fill);
    s.buffers[name] = b;
  }
  return b;
}

type GenericRule = UpdateRule<Vec>;

// ---- update rules (torch 1.13 _single_tensor_* functions, the CPU default: foreach=None → False) ----
// Scalars are rounded to the precision where torch casts them (the Scalar of a float32 kernel); host-side
// arithmetic on Python floats (bias corrections, clr) stays in float64 as in torch.

/**
 * SGD, torch docs box: g ← g + λθ; if μ ≠ 0: b ← g (t = 1) else μb + (1 − τ)g;
 * g ← g + μb (nesterov) or b; θ ← θ − γg.
 */
function sgdRule(nesterov: boolean, float32: boolean): GenericRule {
  return {
    step(p, g, s, h, fused) {
      const single = float32; // a local: the loop branches on a register, not a context slot
      const wd = rd(h.weightDecay, single);
      const mu = rd(h.momentum, single);
      const oneMinusDamp = rd(1 - h.dampening, single);
      const negLr = rd(-h.lr, single);
      const useMomentum = h.momentum !== 0;
      // torch: buf = clone(d_p) on the first step with momentum (no dampening on it).
      const first = useMomentum && !s.buffers.momentum_buffer;
      const buf = useMomentum ? buffer(s, 'momentum_buffer', p.length, single) : null;
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused, single); // d_p.add(param, alpha=weight_decay)
        if (buf) {
          const b = first ? d : mad(oneMinusDamp, d, rd(buf[i] * mu, single), fused, single); // buf.mul_(μ).add_(d_p, alpha=1−τ)
          buf[i] = b;
          d = nesterov ? mad(mu, b, d, fused, single) : b; // d_p.add(buf, alpha=μ) | buf
        }
        p[i] = mad(negLr, d, p[i], fused, single); // param.add_(d_p, alpha=−lr)
      }
    },
  };
}

/** Adagrad: g ← g + λθ; γ̃ = γ/(1 + (t − 1)η); state_sum ← state_sum + g²; θ ← θ − γ̃ g/(√state_sum + ε). */
function adagradRule(float32: boolean): GenericRule {
  return {
    step(p, g, s, h, fused) {
      const single = float32; // a local: the loop branches on a register, not a context slot
      const wd = rd(h.weightDecay, single);
      const eps = rd(h.eps, single);
      const negClr = rd(-(h.lr / (1 + (s.step - 1) * h.lrDecay)), single); // clr in float64, then the Scalar cast
      const sum = buffer(s, 'sum', p.length, single, h.initialAccumulatorValue); // torch.full_like(p, init)
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused, single);
        sum[i] = mad(d, d, sum[i], fused, single); // state_sum.addcmul_(grad, grad, value=1)
        const std = rd(rd(Math.sqrt(sum[i]), single) + eps, single); // state_sum.sqrt().add_(eps)
        p[i] = rd(p[i] + rd(rd(negClr * d, single) / std, single), single); // param.addcdiv_(grad, std, value=−clr): self + v·t1/t2
      }
    },
  };
}

/**
 * Adadelta: g ← g + λθ; v ← ρv + (1 − ρ)g²; Δx = √(u + ε)/√(v + ε) · g; u ← ρu + (1 − ρ)Δx²; θ ← θ − γΔx.
 */
function adadeltaRule(float32: boolean): GenericRule {
  return {
    step(p, g, s, h, fused) {
      const single = float32; // a local: the loop branches on a register, not a context slot
      const wd = rd(h.weightDecay, single);
      const rho = rd(h.rho, single);
      const oneMinusRho = rd(1 - h.rho, single);
      const eps = rd(h.eps, single);
      const negLr = rd(-h.lr, single);
      const sq = buffer(s, 'square_avg', p.length, single);
      const acc = buffer(s, 'acc_delta', p.length, single);
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused, single);
        sq[i] = mad(rd(oneMinusRho * d, single), d, rd(sq[i] * rho, single), fused, single); // square_avg.mul_(ρ).addcmul_(g, g, value=1−ρ)
        const std = rd(Math.sqrt(rd(sq[i] + eps, single)), single); // square_avg.add(eps).sqrt_()
        const delta = rd(rd(rd(Math.sqrt(rd(acc[i] + eps, single)), single) / std, single) * d, single); // acc_delta.add(eps).sqrt_().div_(std).mul_(g)
        acc[i] = mad(rd(oneMinusRho * delta, single), delta, rd(acc[i] * rho, single), fused, single); // acc_delta.mul_(ρ).addcmul_(Δ, Δ, value=1−ρ)
        p[i] = mad(negLr, delta, p[i], fused, single); // param.add_(delta, alpha=−lr)
      }
    },
  };
}

/**
 * RMSprop: g ← g + λθ; v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g, ṽ = v − ḡ²;
 * momentum > 0: b ← μb + g/(√ṽ + ε), θ ← θ − γb; else θ ← θ − γ g/(√ṽ + ε).
 */
function rmspropRule(float32: boolean): GenericRule {
  return {
    step(p, g, s, h, fused) {
      const single = float32; // a local: the loop branches on a register, not a context slot
      const wd = rd(h.weightDecay, single);
      const alpha = rd(h.alpha, single);
      const oneMinusAlpha = rd(1 - h.alpha, single);
      const eps = rd(h.eps, single);
      const negLr = rd(-h.lr, single);
      const mu = rd(h.momentum, single);
      const sq = buffer(s, 'square_avg', p.length, single);
      const gAvg = h.centered ? buffer(s, 'grad_avg', p.length, single) : null;
      const buf = h.momentum > 0 ? buffer(s, 'momentum_buffer', p.length, single) : null;
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused, single);
        sq[i] = mad(rd(oneMinusAlpha * d, single), d, rd(sq[i] * alpha, single), fused, single); // square_avg.mul_(α).addcmul_(g, g, value=1−α)
        let avg: number;
        if (gAvg) {
          gAvg[i] = mad(oneMinusAlpha, d, rd(gAvg[i] * alpha, single), fused, single); // grad_avg.mul_(α).add_(g, alpha=1−α)
          avg = rd(Math.sqrt(mad(-gAvg[i], gAvg[i], sq[i], fused, single)), single); // square_avg.addcmul(ḡ, ḡ, value=−1).sqrt_()
        } else {
          avg = rd(Math.sqrt(sq[i]), single);
        }
        avg = rd(avg + eps, single);
        if (buf) {
          buf[i] = rd(rd(buf[i] * mu, single) + rd(d / avg, single), single); // buf.mul_(μ).addcdiv_(g, avg)
          p[i] = mad(negLr, buf[i], p[i], fused, single); // param.add_(buf, alpha=−lr)
        } else {
          p[i] = rd(p[i] + rd(rd(negLr * d, single) / avg, single), single); // param.addcdiv_(g, avg, value=−lr)
        }
      }
    },
  };
}

/**
 * Adam's usual float32 case (fused rounding, no amsgrad, no L2 in the gradient) as a flat loop over locals: 2×
 * faster than the general loop, same bits (a store into a Float32Array rounds exactly as fround does). `decay`
 * is AdamW's 1 − lr·wd (1 for Adam). Float32 only: Math.fround stays a constant the compiler inlines.
 */
export function adamFast(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamScalars): void {
  const { decay, negStep, b1, oneMinusB1, b2, oneMinusB2, bc2Sqrt, eps } = s;
  const fr = Math.fround;
  const n = p.length;
  // Two loops rather than a per-element branch on decay (Adam's 1, AdamW's 1 − lr·wd): ~25% faster.
  if (decay === 1)
    for (let i = 0; i < n; i++) {
      const d = g[i];
      const mi = fr(oneMinusB1 * d + fr(m[i] * b1));
      m[i] = mi;
      const vi = fr(fr(oneMinusB2 * d) * d + fr(v[i] * b2));
      v[i] = vi;
      p[i] = p[i] + fr(fr(negStep * mi) / fr(fr(fr(Math.sqrt(vi)) / bc2Sqrt) + eps));
    }
  else
    for (let i = 0; i < n; i++) {
      const d = g[i];
      const mi = fr(oneMinusB1 * d + fr(m[i] * b1));
      m[i] = mi;
      const vi = fr(fr(oneMinusB2 * d) * d + fr(v[i] * b2));
      v[i] = vi;
      p[i] = fr(p[i] * decay) + fr(fr(negStep * mi) / fr(fr(fr(Math.sqrt(vi)) / bc2Sqrt) + eps));
    }
}

/** Tensors below this size stay on the scalar loop: copying into the kernel's memory would cost more. */
const SIMD_MIN = 64;
const kernels = new WeakMap<ParamState<Float32Array>, AdamSimd>();

/**
 * The SIMD kernel of one parameter's state, with exp_avg and exp_avg_sq moved into its memory (copied in when
 * the state's arrays are not its own: the first step, or a state restored from a checkpoint), or null.
 */
function simdKernel(s: ParamState<Float32Array>, n: number): AdamSimd | null {
  if (n < SIMD_MIN) return null;
  let k = kernels.get(s);
  if (!k || k.n !== n) {
    const made = AdamSimd.create(n);
    if (!made) return null;
    kernels.set(s, (k = made));
  }
  for (const [name, own] of [
    ['exp_avg', k.m],
    ['exp_avg_sq', k.v],
  ] as const) {
    if (s.buffers[name] !== own) {
      own.set(s.buffers[name]);
      s.buffers[name] = own;
    }
  }
  return k;
}

/**
 * Adam / AdamW: L2 (Adam): g ← g + λθ; decoupled (AdamW): θ ← θ(1 − γλ);
 * m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; amsgrad: v̂max ← max(v̂max, v);
 * θ ← θ − (γ/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
function adamRule(decoupled: boolean, float32: boolean): GenericRule {
  return {
    step(p, g, s, h, fused) {
      const single = float32; // a local: the loop branches on a register, not a context slot
      const t = s.step;
      const stepSize = h.lr / (1 - h.beta1 ** t); // float64 host math, as torch's Python
      const negStep = rd(-stepSize, single);
      const bc2Sqrt = rd(Math.sqrt(1 - h.beta2 ** t), single);
      const b1 = rd(h.beta1, single);
      const oneMinusB1 = rd(1 - h.beta1, single);
      const b2 = rd(h.beta2, single);
      const oneMinusB2 = rd(1 - h.beta2, single);
      const eps = rd(h.eps, single);
      const wd = rd(h.weightDecay, single);
      const decay = rd(1 - h.lr * h.weightDecay, single); // AdamW: param.mul_(1 − lr·wd)
      const m = buffer(s, 'exp_avg', p.length, single);
      const v = buffer(s, 'exp_avg_sq', p.length, single);
      const vMax = h.amsgrad ? buffer(s, 'max_exp_avg_sq', p.length, single) : null;
      if (single && fused && !vMax && (decoupled || h.weightDecay === 0)) {
        const f = (x: Vec) => x as Float32Array;
        const kernel = simdKernel(s as ParamState<Float32Array>, p.length);
        const k: AdamScalars = { decay: decoupled ? decay : 1, negStep, b1, oneMinusB1, b2, oneMinusB2, bc2Sqrt, eps };
        if (kernel) kernel.step(f(p), f(g), k);
        else adamFast(f(p), f(g), f(m), f(v), k);
        return;
      }
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (decoupled) p[i] = rd(p[i] * decay, single);
        else if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused, single);
        m[i] = mad(oneMinusB1, d, rd(m[i] * b1, single), fused, single); // exp_avg.mul_(β₁).add_(g, alpha=1−β₁)
        v[i] = mad(rd(oneMinusB2 * d, single), d, rd(v[i] * b2, single), fused, single); // exp_avg_sq.mul_(β₂).addcmul_(g, g, value=1−β₂)
        let vv = v[i];
        if (vMax) vv = vMax[i] = Math.max(vMax[i], vv); // torch.maximum(max_exp_avg_sq, exp_avg_sq)
        const denom = rd(rd(rd(Math.sqrt(vv), single) / bc2Sqrt, single) + eps, single); // (v.sqrt() / bc2_sqrt).add_(eps)
        p[i] = rd(p[i] + rd(rd(negStep * m[i], single) / denom, single), single); // param.addcdiv_(exp_avg, denom, value=−step_size)
      }
    },
  };
}

function makeRules(precision: Precision): Record<OptimizerId, GenericRule> {
  const single = precision === 'float32';
  return {
    sgd: sgdRule(false, single),
    momentum: sgdRule(false, single),
    nesterov: sgdRule(true, single),
    adagrad: adagradRule(single),
    adadelta: adadeltaRule(single),
    rmsprop: rmspropRule(single),
    adam: adamRule(false, single),
    adamw: adamRule(true, single),
  };
}

/** The float32 update rules by optimiser id: training's (exported for tests and for building variants). */
export const RULES: Readonly<Record<OptimizerId, UpdateRule<Float32Array>>> = makeRules('float32');
/** The same rules in float64: the optimiser playground's paths (torch.optim on float64 tensors). */
export const RULES64: Readonly<Record<OptimizerId, UpdateRule<Float64Array>>> = makeRules('float64');

/** The rules of one precision. */
export function rulesFor(precision: 'float32'): Readonly<Record<OptimizerId, UpdateRule<Float32Array>>>;
export function rulesFor(precision: 'float64'): Readonly<Record<OptimizerId, UpdateRule<Float64Array>>>;
export function rulesFor(precision: Precision): Readonly<Record<OptimizerId, UpdateRule<Vec>>> {
  return precision === 'float64' ? RULES64 : RULES;
}
