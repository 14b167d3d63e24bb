// Training optimisers, exactly as torch.optim 1.13 defines them (the algorithm boxes of SGD, Adagrad,
// Adadelta, RMSprop, Adam, AdamW), so the same hyperparameters give the same numbers.
//
// Node-free on purpose (no node: imports, no onnxruntime): the training engine and the optimiser
// playground share this file. For training, parameters, gradients and state are Float32Array and every
// step rounds to float32 in the order torch's CPU kernels do: the reference test asks for 1e-6 relative
// agreement after 100 steps, and torch's own float32 kernels differ from each other by more than
// that (see fusedMultiplyAdd). The playground runs the same rules in float64 (RULES64, resolveHyper).
//
// One table, OPTIMIZERS, describes the family: labels, UI summaries and hyperparameter knobs
// (defaults from torch.optim) for training, the playground, CLI flags and UI controls alike. The knobs are
// in knobs.ts, the table's data in catalog.ts, resolving and checking values in hyper.ts; this file adds
// the Optimizer itself.

import { OPTIMIZER_INFO, defaultHyper, isOptimizerId, type OptimizerId, type OptimizerInfo } from './catalog.js';
import { NEUTRAL, checkKnown, validate } from './hyper.js';
import type { Hyper, HyperName } from './knobs.js';
import { RULES } from './rules.js';

// The update rules by optimiser id (rules.ts; for tests, variants and the playground's float64 RULES64).
export { RULES, RULES64, rulesFor, type Precision, type Vec } from './rules.js';
export type { Hyper, HyperName, Knob } from './knobs.js';
export { defaultHyper, isOptimizerId, type OptimizerId, type OptimizerInfo } from './catalog.js';
export { resolveHyper } from './hyper.js';

export interface OptimizerSpec extends OptimizerInfo {
  id: OptimizerId;
  create(groups: ParamGroupInit[], hyper?: Partial<Hyper>, options?: OptimizerOptions): Optimizer;
}

/** One parameter group as given: its tensors and any hyperparameters that differ from the optimiser's. */
export interface ParamGroupInit extends Partial<Hyper> {
  params: Float32Array[];
}

export interface ParamState<V extends Float32Array | Float64Array = Float32Array> {
  /** Steps this parameter has taken (torch's state['step']). */
  step: number;
  /** torch's state tensors under torch's names (momentum_buffer, exp_avg, …), of the parameter's precision. */
  buffers: Record<string, V>;
}

/** The update of one parameter tensor, in place. s.step has already been incremented (torch: step_t += 1). */
export interface UpdateRule<V extends Float32Array | Float64Array = Float32Array> {
  step(p: V, g: V, s: ParamState<V>, h: Hyper, fused: boolean): void;
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

/** The optimiser family: one entry per method, feeding training, the playground, CLI flags and UI knobs. */
export const OPTIMIZERS: Readonly<Record<OptimizerId, OptimizerSpec>> = Object.fromEntries(
  (Object.keys(OPTIMIZER_INFO) as OptimizerId[]).map((id) => [
    id,
    { id, ...OPTIMIZER_INFO[id], create: (groups, hyper, options) => new Optimizer(id, groups, hyper, options) } satisfies OptimizerSpec,
  ]),
) as Record<OptimizerId, OptimizerSpec>;

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
    checkKnown(kind, hyper, 'optimizer');
    const base = { ...NEUTRAL, ...defaultHyper(kind), ...hyper };
    const seen = new Set<Float32Array>();
    this.groups = groups.map((g, gi) => {
      checkKnown(kind, g, `group ${gi}`);
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
