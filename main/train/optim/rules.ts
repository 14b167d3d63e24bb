// The update rules of the optimisers, one per torch.optim algorithm box, in float32 in the order torch's CPU
// kernels round (see OptimizerOptions.fusedMultiplyAdd). Node-free, like the rest of this folder.
import type { OptimizerId, ParamState, UpdateRule } from './optimizers.js';

const f32 = Math.fround;

/**
 * a·b + c in float32, fused (one rounding) or plain (two). a, b, c are float32 values, so a·b is
 * exact in float64 and one fround gives the fused result (except on a double-rounding tie, ~2⁻²⁹).
 */
function mad(a: number, b: number, c: number, fused: boolean): number {
  return fused ? f32(a * b + c) : f32(f32(a * b) + c);
}

function buffer(s: ParamState, name: string, n: number, fill = 0): Float32Array {
  let b = s.buffers[name];
  if (!b) {
    b = new Float32Array(n);
    if (fill !== 0) b.fill(fill);
    s.buffers[name] = b;
  }
  return b;
}

// ---- update rules (torch 1.13 _single_tensor_* functions, the CPU default: foreach=None → False) ----
// Scalars are cast to float32 where torch casts them (the Scalar of a float32 kernel); host-side
// arithmetic on Python floats (bias corrections, clr) stays in float64 as in torch.

/**
 * SGD, torch docs box: g ← g + λθ; if μ ≠ 0: b ← g (t = 1) else μb + (1 − τ)g;
 * g ← g + μb (nesterov) or b; θ ← θ − γg.
 */
function sgdRule(nesterov: boolean): UpdateRule {
  return {
    step(p, g, s, h, fused) {
      const wd = f32(h.weightDecay);
      const mu = f32(h.momentum);
      const oneMinusDamp = f32(1 - h.dampening);
      const negLr = f32(-h.lr);
      const useMomentum = h.momentum !== 0;
      // torch: buf = clone(d_p) on the first step with momentum (no dampening on it).
      const first = useMomentum && !s.buffers.momentum_buffer;
      const buf = useMomentum ? buffer(s, 'momentum_buffer', p.length) : null;
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused); // d_p.add(param, alpha=weight_decay)
        if (buf) {
          const b = first ? d : mad(oneMinusDamp, d, f32(buf[i] * mu), fused); // buf.mul_(μ).add_(d_p, alpha=1−τ)
          buf[i] = b;
          d = nesterov ? mad(mu, b, d, fused) : b; // d_p.add(buf, alpha=μ) | buf
        }
        p[i] = mad(negLr, d, p[i], fused); // param.add_(d_p, alpha=−lr)
      }
    },
  };
}

/** Adagrad: g ← g + λθ; γ̃ = γ/(1 + (t − 1)η); state_sum ← state_sum + g²; θ ← θ − γ̃ g/(√state_sum + ε). */
const adagradRule: UpdateRule = {
  step(p, g, s, h, fused) {
    const wd = f32(h.weightDecay);
    const eps = f32(h.eps);
    const negClr = f32(-(h.lr / (1 + (s.step - 1) * h.lrDecay))); // clr in float64, then the Scalar cast
    const sum = buffer(s, 'sum', p.length, h.initialAccumulatorValue); // torch.full_like(p, init)
    for (let i = 0; i < p.length; i++) {
      let d = g[i];
      if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused);
      sum[i] = mad(d, d, sum[i], fused); // state_sum.addcmul_(grad, grad, value=1)
      const std = f32(f32(Math.sqrt(sum[i])) + eps); // state_sum.sqrt().add_(eps)
      p[i] = f32(p[i] + f32(f32(negClr * d) / std)); // param.addcdiv_(grad, std, value=−clr): self + v·t1/t2
    }
  },
};

/**
 * Adadelta: g ← g + λθ; v ← ρv + (1 − ρ)g²; Δx = √(u + ε)/√(v + ε) · g; u ← ρu + (1 − ρ)Δx²; θ ← θ − γΔx.
 */
const adadeltaRule: UpdateRule = {
  step(p, g, s, h, fused) {
    const wd = f32(h.weightDecay);
    const rho = f32(h.rho);
    const oneMinusRho = f32(1 - h.rho);
    const eps = f32(h.eps);
    const negLr = f32(-h.lr);
    const sq = buffer(s, 'square_avg', p.length);
    const acc = buffer(s, 'acc_delta', p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i];
      if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused);
      sq[i] = mad(f32(oneMinusRho * d), d, f32(sq[i] * rho), fused); // square_avg.mul_(ρ).addcmul_(g, g, value=1−ρ)
      const std = f32(Math.sqrt(f32(sq[i] + eps))); // square_avg.add(eps).sqrt_()
      const delta = f32(f32(f32(Math.sqrt(f32(acc[i] + eps))) / std) * d); // acc_delta.add(eps).sqrt_().div_(std).mul_(g)
      acc[i] = mad(f32(oneMinusRho * delta), delta, f32(acc[i] * rho), fused); // acc_delta.mul_(ρ).addcmul_(Δ, Δ, value=1−ρ)
      p[i] = mad(negLr, delta, p[i], fused); // param.add_(delta, alpha=−lr)
    }
  },
};

/**
 * RMSprop: g ← g + λθ; v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g, ṽ = v − ḡ²;
 * momentum > 0: b ← μb + g/(√ṽ + ε), θ ← θ − γb; else θ ← θ − γ g/(√ṽ + ε).
 */
const rmspropRule: UpdateRule = {
  step(p, g, s, h, fused) {
    const wd = f32(h.weightDecay);
    const alpha = f32(h.alpha);
    const oneMinusAlpha = f32(1 - h.alpha);
    const eps = f32(h.eps);
    const negLr = f32(-h.lr);
    const mu = f32(h.momentum);
    const sq = buffer(s, 'square_avg', p.length);
    const gAvg = h.centered ? buffer(s, 'grad_avg', p.length) : null;
    const buf = h.momentum > 0 ? buffer(s, 'momentum_buffer', p.length) : null;
    for (let i = 0; i < p.length; i++) {
      let d = g[i];
      if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused);
      sq[i] = mad(f32(oneMinusAlpha * d), d, f32(sq[i] * alpha), fused); // square_avg.mul_(α).addcmul_(g, g, value=1−α)
      let avg: number;
      if (gAvg) {
        gAvg[i] = mad(oneMinusAlpha, d, f32(gAvg[i] * alpha), fused); // grad_avg.mul_(α).add_(g, alpha=1−α)
        avg = f32(Math.sqrt(mad(-gAvg[i], gAvg[i], sq[i], fused))); // square_avg.addcmul(ḡ, ḡ, value=−1).sqrt_()
      } else {
        avg = f32(Math.sqrt(sq[i]));
      }
      avg = f32(avg + eps);
      if (buf) {
        buf[i] = f32(f32(buf[i] * mu) + f32(d / avg)); // buf.mul_(μ).addcdiv_(g, avg)
        p[i] = mad(negLr, buf[i], p[i], fused); // param.add_(buf, alpha=−lr)
      } else {
        p[i] = f32(p[i] + f32(f32(negLr * d) / avg)); // param.addcdiv_(g, avg, value=−lr)
      }
    }
  },
};

/**
 * Adam's usual case (fused rounding, no amsgrad, no L2 in the gradient) as a flat loop over locals: 2× faster than
 * the general loop, same bits (a store into a Float32Array rounds exactly as f32() does). `decay` is AdamW's
 * 1 − lr·wd (1 for Adam).
 */
function adamFast(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  decay: number,
  negStep: number,
  b1: number,
  oneMinusB1: number,
  b2: number,
  oneMinusB2: number,
  bc2Sqrt: number,
  eps: number,
): void {
  const fr = Math.fround;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const d = g[i];
    const mi = oneMinusB1 * d + fr(m[i] * b1);
    m[i] = mi;
    const vi = fr(oneMinusB2 * d) * d + fr(v[i] * b2);
    v[i] = vi;
    const pi = decay === 1 ? p[i] : fr(p[i] * decay);
    p[i] = pi + fr(fr(negStep * fr(mi)) / fr(fr(fr(Math.sqrt(fr(vi))) / bc2Sqrt) + eps));
  }
}

/**
 * Adam / AdamW: L2 (Adam): g ← g + λθ; decoupled (AdamW): θ ← θ(1 − γλ);
 * m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; amsgrad: v̂max ← max(v̂max, v);
 * θ ← θ − (γ/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
function adamRule(decoupled: boolean): UpdateRule {
  return {
    step(p, g, s, h, fused) {
      const t = s.step;
      const stepSize = h.lr / (1 - h.beta1 ** t); // float64 host math, as torch's Python
      const negStep = f32(-stepSize);
      const bc2Sqrt = f32(Math.sqrt(1 - h.beta2 ** t));
      const b1 = f32(h.beta1);
      const oneMinusB1 = f32(1 - h.beta1);
      const b2 = f32(h.beta2);
      const oneMinusB2 = f32(1 - h.beta2);
      const eps = f32(h.eps);
      const wd = f32(h.weightDecay);
      const decay = f32(1 - h.lr * h.weightDecay); // AdamW: param.mul_(1 − lr·wd)
      const m = buffer(s, 'exp_avg', p.length);
      const v = buffer(s, 'exp_avg_sq', p.length);
      const vMax = h.amsgrad ? buffer(s, 'max_exp_avg_sq', p.length) : null;
      if (fused && !vMax && (decoupled || h.weightDecay === 0)) {
        adamFast(p, g, m, v, decoupled ? decay : 1, negStep, b1, oneMinusB1, b2, oneMinusB2, bc2Sqrt, eps);
        return;
      }
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (decoupled) p[i] = f32(p[i] * decay);
        else if (h.weightDecay !== 0) d = mad(wd, p[i], d, fused);
        m[i] = mad(oneMinusB1, d, f32(m[i] * b1), fused); // exp_avg.mul_(β₁).add_(g, alpha=1−β₁)
        v[i] = mad(f32(oneMinusB2 * d), d, f32(v[i] * b2), fused); // exp_avg_sq.mul_(β₂).addcmul_(g, g, value=1−β₂)
        let vv = v[i];
        if (vMax) vv = vMax[i] = Math.max(vMax[i], vv); // torch.maximum(max_exp_avg_sq, exp_avg_sq)
        const denom = f32(f32(f32(Math.sqrt(vv)) / bc2Sqrt) + eps); // (v.sqrt() / bc2_sqrt).add_(eps)
        p[i] = f32(p[i] + f32(f32(negStep * m[i]) / denom)); // param.addcdiv_(exp_avg, denom, value=−step_size)
      }
    },
  };
}

/** The update rules by optimiser id (exported for tests and for building variants; not part of index). */
export const RULES: Readonly<Record<OptimizerId, UpdateRule>> = {
  sgd: sgdRule(false),
  momentum: sgdRule(false),
  nesterov: sgdRule(true),
  adagrad: adagradRule,
  adadelta: adadeltaRule,
  rmsprop: rmspropRule,
  adam: adamRule(false),
  adamw: adamRule(true),
};
