// Training optimisers, exactly as torch.optim 1.13 defines them (the algorithm boxes of SGD, Adagrad,
// Adadelta, RMSprop, Adam, AdamW), so the same hyperparameters give the same numbers.
//
// Node-free on purpose (no node: imports, no onnxruntime): the training engine and the optimiser
// playground share this file. Parameters, gradients and state are Float32Array and every step
// rounds to float32 in the order torch's CPU kernels do: the reference test asks for 1e-6 relative
// agreement after 100 steps, and torch's own float32 kernels differ from each other by more than
// that (see fusedMultiplyAdd).
//
// One table, OPTIMIZERS, describes the family: labels, UI summaries and hyperparameter knobs
// (defaults from torch.optim) for training, the playground, CLI flags and UI controls alike.

export type OptimizerId = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'adadelta' | 'rmsprop' | 'adam' | 'adamw';

/** Every hyperparameter any optimiser here takes (camelCase of the torch keyword; betas are beta1, beta2). */
export interface Hyper {
  lr: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  lrDecay: number;
  initialAccumulatorValue: number;
  rho: number;
  alpha: number;
  centered: boolean;
  beta1: number;
  beta2: number;
  amsgrad: boolean;
  eps: number;
}
export type HyperName = keyof Hyper;

/** A tunable value: enough for a CLI flag (--kebab-name), a UI control and validation of ranges. */
export interface Knob<N extends string = string> {
  name: N;
  label: string;
  /** The torch keyword it mirrors ('betas[0]' for beta1). */
  torch: string;
  type: 'number' | 'boolean' | 'choice';
  default: number | boolean | string;
  /** Suggested control range and increment (UI only: torch accepts anything its own checks allow). */
  min?: number;
  max?: number;
  step?: number;
  /** 'log': the control should move in decades (learning rates, epsilons). */
  scale?: 'linear' | 'log';
  choices?: readonly string[];
}

export interface OptimizerSpec {
  id: OptimizerId;
  label: string;
  summary: string;
  hyper: readonly Knob<HyperName>[];
  create(groups: ParamGroupInit[], hyper?: Partial<Hyper>, options?: OptimizerOptions): Optimizer;
}

/** One parameter group as given: its tensors and any hyperparameters that differ from the optimiser's. */
export interface ParamGroupInit extends Partial<Hyper> {
  params: Float32Array[];
}

export interface ParamState {
  /** Steps this parameter has taken (torch's state['step']). */
  step: number;
  /** torch's state tensors under torch's names (momentum_buffer, exp_avg, …), float32 as in torch. */
  buffers: Record<string, Float32Array>;
}

/** The update of one parameter tensor, in place. s.step has already been incremented (torch: step_t += 1). */
export interface UpdateRule {
  step(p: Float32Array, g: Float32Array, s: ParamState, h: Hyper, fused: boolean): void;
}

export interface OptimizerOptions {
  /**
   * Round a·b + c once (default, true) or twice. torch's vectorised CPU kernels compute add(…, alpha)
   * and addcmul as fused multiply-adds (vec::fmadd → vfmadd on AVX2/AVX-512); with
   * ATEN_CPU_CAPABILITY=default they multiply, round, then add. Over 100 steps the two torch
   * builds differ by up to ~4e-5 relative, so to agree with torch to 1e-6 we pick one.
   */
  fusedMultiplyAdd?: boolean;
  /** Test hook: replace the update rule (the mutation tests build deliberately wrong variants). */
  rule?: UpdateRule;
}

export interface OptimizerStateDict {
  kind: OptimizerId;
  paramGroups: { params: number[]; hyper: Partial<Hyper>; initialLr: number }[];
  /** By flat parameter index, as torch's state_dict; null where a parameter has not stepped yet. */
  state: ({ step: number; buffers: Record<string, Float32Array> } | null)[];
}

/** What loadStateDict accepts: a stateDict() result, or one through JSON (typed arrays become {"0": …} or arrays). */
export interface OptimizerStateDictLike {
  kind: string;
  paramGroups: { params: number[]; hyper: Partial<Hyper>; initialLr: number }[];
  state: ({ step: number; buffers: Record<string, ArrayLike<number> | Record<string, number>> } | null)[];
}

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

// ---- knobs ----

const lrKnob = (d: number): Knob<HyperName> => ({
  name: 'lr',
  label: 'Learning rate',
  torch: 'lr',
  type: 'number',
  default: d,
  min: 1e-6,
  max: 10,
  step: 1e-6,
  scale: 'log',
});
const wdKnob = (d: number, label = 'Weight decay (L2)'): Knob<HyperName> => ({
  name: 'weightDecay',
  label,
  torch: 'weight_decay',
  type: 'number',
  default: d,
  min: 0,
  max: 1,
  step: 1e-5,
  scale: 'linear',
});
const epsKnob = (d: number): Knob<HyperName> => ({
  name: 'eps',
  label: 'Epsilon',
  torch: 'eps',
  type: 'number',
  default: d,
  min: 1e-12,
  max: 1e-1,
  step: 1e-12,
  scale: 'log',
});
const momentumKnob = (d: number): Knob<HyperName> => ({
  name: 'momentum',
  label: 'Momentum',
  torch: 'momentum',
  type: 'number',
  default: d,
  min: 0,
  max: 0.999,
  step: 0.001,
  scale: 'linear',
});
const adamKnobs = (wd: Knob<HyperName>): Knob<HyperName>[] => [
  lrKnob(1e-3),
  { name: 'beta1', label: 'β₁ (first moment decay)', torch: 'betas[0]', type: 'number', default: 0.9, min: 0, max: 0.999, step: 0.001 },
  { name: 'beta2', label: 'β₂ (second moment decay)', torch: 'betas[1]', type: 'number', default: 0.999, min: 0, max: 0.99999, step: 1e-5 },
  epsKnob(1e-8),
  wd,
  { name: 'amsgrad', label: 'AMSGrad', torch: 'amsgrad', type: 'boolean', default: false },
];

type SpecBody = Omit<OptimizerSpec, 'id' | 'create'>;
const BODIES: Record<OptimizerId, SpecBody> = {
  sgd: {
    label: 'SGD',
    summary: 'Plain gradient descent: each step moves against the gradient, scaled by the learning rate.',
    hyper: [lrKnob(0.01), wdKnob(0)],
  },
  momentum: {
    label: 'SGD + momentum',
    summary: 'Gradient descent with a running velocity, so steady directions speed up and zig-zags cancel.',
    hyper: [
      lrKnob(0.01),
      momentumKnob(0.9),
      { name: 'dampening', label: 'Dampening', torch: 'dampening', type: 'number', default: 0, min: 0, max: 0.99, step: 0.01 },
      wdKnob(0),
    ],
  },
  nesterov: {
    label: 'Nesterov momentum',
    summary: 'Momentum that looks ahead: the step uses the gradient plus the velocity it is about to add.',
    hyper: [lrKnob(0.01), momentumKnob(0.9), wdKnob(0)],
  },
  adagrad: {
    label: 'Adagrad',
    summary: 'Per-weight learning rates that shrink with the sum of past squared gradients.',
    hyper: [
      lrKnob(0.01),
      { name: 'lrDecay', label: 'Learning-rate decay', torch: 'lr_decay', type: 'number', default: 0, min: 0, max: 1, step: 1e-4 },
      wdKnob(0),
      {
        name: 'initialAccumulatorValue',
        label: 'Initial accumulator',
        torch: 'initial_accumulator_value',
        type: 'number',
        default: 0,
        min: 0,
        max: 1,
        step: 0.01,
      },
      epsKnob(1e-10),
    ],
  },
  adadelta: {
    label: 'Adadelta',
    summary: 'Adagrad without the ever-shrinking rate: steps scale by running averages of squared gradients and updates.',
    hyper: [
      lrKnob(1.0),
      { name: 'rho', label: 'ρ (averaging decay)', torch: 'rho', type: 'number', default: 0.9, min: 0, max: 0.999, step: 0.001 },
      epsKnob(1e-6),
      wdKnob(0),
    ],
  },
  rmsprop: {
    label: 'RMSprop',
    summary: 'Divides each step by a running root-mean-square of recent gradients, so every weight moves at a similar pace.',
    hyper: [
      lrKnob(0.01),
      { name: 'alpha', label: 'α (smoothing)', torch: 'alpha', type: 'number', default: 0.99, min: 0, max: 0.9999, step: 1e-4 },
      epsKnob(1e-8),
      wdKnob(0),
      momentumKnob(0),
      { name: 'centered', label: 'Centered', torch: 'centered', type: 'boolean', default: false },
    ],
  },
  adam: {
    label: 'Adam',
    summary: 'Momentum plus RMSprop scaling, with bias correction for the first steps; the usual default.',
    hyper: adamKnobs(wdKnob(0)),
  },
  adamw: {
    label: 'AdamW',
    summary: 'Adam with weight decay applied to the weights directly rather than through the gradient.',
    hyper: adamKnobs(wdKnob(1e-2, 'Weight decay (decoupled)')),
  },
};

/** The optimiser family: one entry per method, feeding training, the playground, CLI flags and UI knobs. */
export const OPTIMIZERS: Readonly<Record<OptimizerId, OptimizerSpec>> = Object.fromEntries(
  (Object.keys(BODIES) as OptimizerId[]).map((id) => [
    id,
    { id, ...BODIES[id], create: (groups, hyper, options) => new Optimizer(id, groups, hyper, options) } satisfies OptimizerSpec,
  ]),
) as Record<OptimizerId, OptimizerSpec>;

export function isOptimizerId(id: string): id is OptimizerId {
  return Object.hasOwn(BODIES, id);
}

/** The optimiser's defaults (knob defaults) over which user values and group overrides are laid. */
export function defaultHyper(kind: OptimizerId): Partial<Hyper> {
  return Object.fromEntries(OPTIMIZERS[kind].hyper.map((k) => [k.name, k.default])) as Partial<Hyper>;
}

// Values of knobs an optimiser does not list, so every rule can read a full Hyper: neutral for torch.
const NEUTRAL: Hyper = {
  lr: 0,
  weightDecay: 0,
  momentum: 0,
  dampening: 0,
  lrDecay: 0,
  initialAccumulatorValue: 0,
  rho: 0.9,
  alpha: 0.99,
  centered: false,
  beta1: 0.9,
  beta2: 0.999,
  amsgrad: false,
  eps: 1e-8,
};

/** torch's constructor checks (ValueError there, RangeError here). */
function validate(kind: OptimizerId, h: Hyper): void {
  const bad = (what: string, v: number | boolean): never => {
    throw new RangeError(`${OPTIMIZERS[kind].label}: invalid ${what}: ${v}`);
  };
  if (!(h.lr >= 0)) bad('learning rate', h.lr);
  if (!(h.weightDecay >= 0)) bad('weight decay', h.weightDecay);
  if (!(h.eps >= 0)) bad('epsilon', h.eps);
  if (!(h.momentum >= 0)) bad('momentum', h.momentum);
  if (!(h.lrDecay >= 0)) bad('lr decay', h.lrDecay);
  if (!(h.initialAccumulatorValue >= 0)) bad('initial accumulator value', h.initialAccumulatorValue);
  if (!(h.rho >= 0 && h.rho <= 1)) bad('rho', h.rho);
  if (!(h.alpha >= 0)) bad('alpha', h.alpha);
  if (!(h.beta1 >= 0 && h.beta1 < 1)) bad('beta1', h.beta1);
  if (!(h.beta2 >= 0 && h.beta2 < 1)) bad('beta2', h.beta2);
  if (kind === 'nesterov' && (h.momentum <= 0 || h.dampening !== 0)) bad('Nesterov momentum (needs momentum > 0, dampening 0)', h.momentum);
}

interface Group {
  params: Float32Array[];
  hyper: Hyper;
  /** The lr a schedule scales (torch's group['initial_lr']): the group's lr when it was made. */
  initialLr: number;
  state: ParamState[];
}

/**
 * torch.optim over parameter groups. Gradients are passed to step() each time (no zero_grad); the
 * parameters are updated in place. Hyperparameters resolve as torch does: knob defaults, then the
 * optimiser-wide values, then each group's own.
 */
export class Optimizer {
  readonly kind: OptimizerId;
  private readonly groups: Group[];
  private readonly rule: UpdateRule;
  private readonly fused: boolean;

  constructor(kind: OptimizerId, groups: ParamGroupInit[], hyper: Partial<Hyper> = {}, options: OptimizerOptions = {}) {
    if (!isOptimizerId(kind)) throw new RangeError(`unknown optimizer '${String(kind)}'`);
    if (groups.length === 0) throw new RangeError('optimizer got an empty parameter list');
    this.kind = kind;
    this.rule = options.rule ?? RULES[kind];
    this.fused = options.fusedMultiplyAdd ?? true;
    const known = new Set<string>(OPTIMIZERS[kind].hyper.map((k) => k.name));
    const check = (o: object, where: string): void => {
      for (const k of Object.keys(o))
        if (k !== 'params' && !known.has(k)) throw new RangeError(`${where}: ${kind} has no hyperparameter '${k}'`);
    };
    check(hyper, 'optimizer');
    const base = { ...NEUTRAL, ...defaultHyper(kind), ...hyper };
    const seen = new Set<Float32Array>();
    this.groups = groups.map((g, gi) => {
      check(g, `group ${gi}`);
      const { params, ...over } = g;
      for (const p of params) {
        if (seen.has(p)) throw new RangeError('some parameters appear in more than one parameter group');
        seen.add(p);
      }
      const h: Hyper = { ...base, ...over };
      validate(kind, h);
      return { params: [...params], hyper: h, initialLr: h.lr, state: params.map(() => ({ step: 0, buffers: {} })) };
    });
  }

  get groupCount(): number {
    return this.groups.length;
  }

  /** Per group, per parameter: the step count and float32 state buffers (live, not copies). */
  get state(): readonly (readonly ParamState[])[] {
    return this.groups.map((g) => g.state);
  }

  getLr(group: number): number {
    return this.group(group).hyper.lr;
  }

  setLr(group: number, lr: number): void {
    if (!(lr >= 0)) throw new RangeError(`invalid learning rate: ${lr}`);
    this.group(group).hyper.lr = lr;
  }

  /** The lr the group started with: what schedules scale (torch: group['initial_lr']). */
  initialLr(group: number): number {
    return this.group(group).initialLr;
  }

  /** The group's resolved hyperparameters, only the knobs this optimiser lists. */
  hyperOf(group: number): Partial<Hyper> {
    const h = this.group(group).hyper;
    return Object.fromEntries(OPTIMIZERS[this.kind].hyper.map((k) => [k.name, h[k.name]])) as Partial<Hyper>;
  }

  /** Change one hyperparameter of a group (OneCycle's momentum cycling sets momentum or beta1). */
  setHyper<K extends HyperName>(group: number, name: K, value: Hyper[K]): void {
    if (!OPTIMIZERS[this.kind].hyper.some((k) => k.name === name)) throw new RangeError(`${this.kind} has no hyperparameter '${name}'`);
    const g = this.group(group);
    const h = { ...g.hyper, [name]: value };
    validate(this.kind, h);
    g.hyper = h;
  }

  /** One step of every parameter whose gradient is given (null: no gradient, skipped as torch skips grad None). */
  step(grads: readonly (readonly (Float32Array | null)[])[]): void {
    if (grads.length !== this.groups.length) throw new RangeError(`step: ${grads.length} gradient groups for ${this.groups.length} groups`);
    this.groups.forEach((g, gi) => {
      const gg = grads[gi];
      if (gg.length !== g.params.length) throw new RangeError(`step: group ${gi} has ${g.params.length} params, got ${gg.length} grads`);
      g.params.forEach((p, pi) => {
        const grad = gg[pi];
        if (!grad) return;
        if (grad.length !== p.length) throw new RangeError(`step: group ${gi} param ${pi} has ${p.length} values, gradient ${grad.length}`);
        const s = g.state[pi];
        s.step += 1;
        this.rule.step(p, grad, s, g.hyper, this.fused);
      });
    });
  }

  /** Everything needed to resume: group hyperparameters and copies of the state (torch's layout). */
  stateDict(): OptimizerStateDict {
    let flat = 0;
    const paramGroups = this.groups.map((g, gi) => ({
      params: g.params.map(() => flat++),
      hyper: this.hyperOf(gi),
      initialLr: g.initialLr,
    }));
    const state = this.groups.flatMap((g) =>
      g.state.map((s) =>
        s.step === 0 ? null : { step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, b]) => [k, b.slice()])) },
      ),
    );
    return { kind: this.kind, paramGroups, state };
  }

  /** Restore a stateDict() (possibly through JSON) onto the same parameter layout. */
  loadStateDict(sd: OptimizerStateDictLike): void {
    if (sd.kind !== this.kind) throw new RangeError(`loadStateDict: state of '${sd.kind}' given to '${this.kind}'`);
    if (sd.paramGroups.length !== this.groups.length) throw new RangeError('loadStateDict: parameter group count differs');
    const flat = this.groups.flatMap((g) => g.params);
    if (sd.state.length !== flat.length) throw new RangeError('loadStateDict: parameter count differs');
    const hypers = sd.paramGroups.map((pg, gi) => {
      if (pg.params.length !== this.groups[gi].params.length) throw new RangeError(`loadStateDict: group ${gi} size differs`);
      const h = { ...this.groups[gi].hyper, ...pg.hyper };
      validate(this.kind, h);
      return h;
    });
    const states = sd.state.map((s, i): ParamState => {
      if (!s) return { step: 0, buffers: {} };
      const buffers: Record<string, Float32Array> = {};
      for (const [k, b] of Object.entries(s.buffers)) {
        const arr = Float32Array.from(isArrayLike(b) ? b : Object.values(b));
        if (arr.length !== flat[i].length)
          throw new RangeError(`loadStateDict: ${k} of parameter ${i} has ${arr.length} values, not ${flat[i].length}`);
        buffers[k] = arr;
      }
      return { step: s.step, buffers };
    });
    let i = 0;
    this.groups.forEach((g, gi) => {
      g.hyper = hypers[gi];
      g.initialLr = sd.paramGroups[gi].initialLr;
      g.state = g.params.map(() => states[i++]);
    });
  }

  private group(i: number): Group {
    const g = this.groups[i];
    if (!g) throw new RangeError(`no parameter group ${i}`);
    return g;
  }
}

function isArrayLike(b: ArrayLike<number> | Record<string, number>): b is ArrayLike<number> {
  return typeof (b as ArrayLike<number>).length === 'number';
}
