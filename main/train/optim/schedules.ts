// Learning-rate schedules as pure functions of the step, giving torch.optim.lr_scheduler's numbers:
// lrAt(spec, t, baseLr) is the lr torch's scheduler has set after t calls of scheduler.step(), i.e. the
// lr of optimiser step t (0-based) in the usual `optimizer.step(); scheduler.step()` loop.
//
// Closed forms (torch's _get_closed_form_lr) rather than torch's chainable recursions: they agree to
// ~1e-15 relative and a pure function can be evaluated at any step (plots, resume, the playground).
import type { Knob, Optimizer } from './optimizers.js';

export type ScheduleKind = 'constant' | 'step' | 'cosine' | 'one-cycle';

/** Linear warmup = torch LinearLR(start_factor, end_factor=1, total_iters=steps), multiplied in (ChainedScheduler). */
export interface Warmup {
  steps: number;
  /** torch LinearLR's default 1/3. */
  startFactor?: number;
}

export interface OneCycleOptions {
  totalSteps: number;
  /** Peak lr for every group (torch's scalar max_lr). Absent: each group's own base lr is its peak (a max_lr list). */
  maxLr?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  /** Cycle momentum (SGD momentum, RMSprop momentum) or Adam's β₁ inversely to the lr, as torch (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

export type ScheduleSpec = (
  | { kind: 'constant' }
  | { kind: 'step'; stepSize: number; gamma?: number }
  | { kind: 'cosine'; tMax: number; etaMin?: number }
  | ({ kind: 'one-cycle' } & OneCycleOptions)
) & { warmup?: Warmup };

export interface ScheduleInfo {
  kind: ScheduleKind;
  label: string;
  summary: string;
  knobs: readonly Knob[];
}

/** The schedule family for the UI and CLI (warmup knobs apply to any of them: WARMUP_KNOBS). */
export const SCHEDULES: Readonly<Record<ScheduleKind, ScheduleInfo>> = {
  constant: { kind: 'constant', label: 'Constant', summary: 'The same learning rate on every step.', knobs: [] },
  step: {
    kind: 'step',
    label: 'Step decay',
    summary: 'Multiply the learning rate by γ every few steps (torch StepLR).',
    knobs: [
      { name: 'stepSize', label: 'Step size', torch: 'step_size', type: 'number', default: 30, min: 1, max: 100000, step: 1 },
      { name: 'gamma', label: 'γ (decay factor)', torch: 'gamma', type: 'number', default: 0.1, min: 0, max: 1, step: 0.01 },
    ],
  },
  cosine: {
    kind: 'cosine',
    label: 'Cosine annealing',
    summary: 'Glide from the base rate down to a floor along half a cosine (torch CosineAnnealingLR).',
    knobs: [
      { name: 'tMax', label: 'Period (steps)', torch: 'T_max', type: 'number', default: 100, min: 1, max: 1000000, step: 1 },
      { name: 'etaMin', label: 'Minimum lr', torch: 'eta_min', type: 'number', default: 0, min: 0, max: 1, step: 1e-7 },
    ],
  },
  'one-cycle': {
    kind: 'one-cycle',
    label: 'One-cycle',
    summary: 'Warm up to a peak rate, then anneal far below the start (torch OneCycleLR); momentum moves the other way.',
    knobs: [
      { name: 'totalSteps', label: 'Total steps', torch: 'total_steps', type: 'number', default: 100, min: 1, max: 10000000, step: 1 },
      { name: 'pctStart', label: 'Warm-up fraction', torch: 'pct_start', type: 'number', default: 0.3, min: 0, max: 1, step: 0.01 },
      { name: 'annealStrategy', label: 'Annealing', torch: 'anneal_strategy', type: 'choice', default: 'cos', choices: ['cos', 'linear'] },
      { name: 'divFactor', label: 'Start divisor', torch: 'div_factor', type: 'number', default: 25, min: 1, max: 1e4, step: 1 },
      {
        name: 'finalDivFactor',
        label: 'Final divisor',
        torch: 'final_div_factor',
        type: 'number',
        default: 1e4,
        min: 1,
        max: 1e8,
        step: 1,
        scale: 'log',
      },
      { name: 'threePhase', label: 'Three phases', torch: 'three_phase', type: 'boolean', default: false },
      { name: 'cycleMomentum', label: 'Cycle momentum', torch: 'cycle_momentum', type: 'boolean', default: true },
      {
        name: 'baseMomentum',
        label: 'Base momentum',
        torch: 'base_momentum',
        type: 'number',
        default: 0.85,
        min: 0,
        max: 0.999,
        step: 0.01,
      },
      { name: 'maxMomentum', label: 'Max momentum', torch: 'max_momentum', type: 'number', default: 0.95, min: 0, max: 0.999, step: 0.01 },
    ],
  },
};

export const WARMUP_KNOBS: readonly Knob[] = [
  { name: 'steps', label: 'Warm-up steps', torch: 'total_iters', type: 'number', default: 0, min: 0, max: 100000, step: 1 },
  {
    name: 'startFactor',
    label: 'Warm-up start factor',
    torch: 'start_factor',
    type: 'number',
    default: 1 / 3,
    min: 1e-4,
    max: 1,
    step: 1e-4,
  },
];

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`schedule step must be a non-negative integer, got ${step}`);
}

/** torch LinearLR closed form: start + (1 − start)·min(t, T)/T. */
export function warmupFactor(w: Warmup | undefined, step: number): number {
  if (!w || w.steps <= 0) return 1;
  const start = w.startFactor ?? 1 / 3;
  if (!(start > 0 && start <= 1)) throw new RangeError(`warmup startFactor must be in (0, 1], got ${start}`);
  return start + ((1 - start) * Math.min(w.steps, step)) / w.steps;
}

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
  startMomentum: number;
  endMomentum: number;
}

// torch OneCycleLR.__init__: the phases, with its float arithmetic (pct_start·total_steps − 1 is not an integer: 0.3·100 = 30.000000000000004).
function oneCyclePhases(o: OneCycleOptions, maxLr: number): Phase[] {
  const total = o.totalSteps;
  if (!Number.isInteger(total) || total <= 0) throw new RangeError(`one-cycle totalSteps must be a positive integer, got ${total}`);
  const pct = o.pctStart ?? 0.3;
  if (!(pct >= 0 && pct <= 1)) throw new RangeError(`one-cycle pctStart must be in [0, 1], got ${pct}`);
  const initial = maxLr / (o.divFactor ?? 25);
  const min = initial / (o.finalDivFactor ?? 1e4);
  const mMax = o.maxMomentum ?? 0.95;
  const mBase = o.baseMomentum ?? 0.85;
  if (o.threePhase)
    return [
      { endStep: pct * total - 1, startLr: initial, endLr: maxLr, startMomentum: mMax, endMomentum: mBase },
      { endStep: 2 * pct * total - 2, startLr: maxLr, endLr: initial, startMomentum: mBase, endMomentum: mMax },
      { endStep: total - 1, startLr: initial, endLr: min, startMomentum: mMax, endMomentum: mMax },
    ];
  return [
    { endStep: pct * total - 1, startLr: initial, endLr: maxLr, startMomentum: mMax, endMomentum: mBase },
    { endStep: total - 1, startLr: maxLr, endLr: min, startMomentum: mBase, endMomentum: mMax },
  ];
}

// torch OneCycleLR.get_lr: find the phase of step t, then anneal from its start to its end.
function oneCycleAt(o: OneCycleOptions, maxLr: number, step: number): { lr: number; momentum: number } {
  if (step > o.totalSteps) throw new RangeError(`one-cycle: step ${step} is past totalSteps ${o.totalSteps}`);
  const anneal = (o.annealStrategy ?? 'cos') === 'cos' ? annealCos : annealLinear;
  const phases = oneCyclePhases(o, maxLr);
  let startStep = 0;
  for (let i = 0; i < phases.length; i++) {
    const ph = phases[i];
    if (step <= ph.endStep || i === phases.length - 1) {
      const pct = (step - startStep) / (ph.endStep - startStep);
      return { lr: anneal(ph.startLr, ph.endLr, pct), momentum: anneal(ph.startMomentum, ph.endMomentum, pct) };
    }
    startStep = ph.endStep;
  }
  throw new Error('unreachable');
}

/** torch _annealing_cos: end + (start − end)/2 · (cos(π·pct) + 1). */
function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** torch _annealing_linear: (end − start)·pct + start. */
function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** The lr at step t (0-based, = scheduler.step() calls so far) for a group whose initial lr is baseLr. */
export function lrAt(spec: ScheduleSpec, step: number, baseLr: number): number {
  checkStep(step);
  let lr: number;
  switch (spec.kind) {
    case 'constant':
      lr = baseLr;
      break;
    case 'step': {
      // StepLR: base · γ^⌊t / step_size⌋
      if (!Number.isInteger(spec.stepSize) || spec.stepSize <= 0)
        throw new RangeError(`step schedule: stepSize must be a positive integer`);
      lr = baseLr * (spec.gamma ?? 0.1) ** Math.floor(step / spec.stepSize);
      break;
    }
    case 'cosine': {
      // CosineAnnealingLR: η_min + (base − η_min)·(1 + cos(π·t/T_max))/2 (periodic past T_max, as torch's recursion)
      if (!(spec.tMax > 0)) throw new RangeError(`cosine schedule: tMax must be positive`);
      const etaMin = spec.etaMin ?? 0;
      lr = etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / spec.tMax))) / 2;
      break;
    }
    case 'one-cycle':
      lr = oneCycleAt(spec, spec.maxLr ?? baseLr, step).lr;
      break;
    default:
      throw new RangeError(`unknown schedule '${(spec as { kind: string }).kind}'`);
  }
  return lr * warmupFactor(spec.warmup, step);
}

/**
 * OneCycle's momentum (or Adam's β₁) at step t, or null when the schedule does not cycle momentum.
 * Our one deviation: torch refuses Adagrad/Adadelta and would give plain 'sgd' momentum; here momentum
 * is cycled only for optimisers that have a momentum or β₁ knob (applySchedule).
 */
export function momentumAt(spec: ScheduleSpec, step: number): number | null {
  checkStep(step);
  if (spec.kind !== 'one-cycle' || spec.cycleMomentum === false) return null;
  return oneCycleAt(spec, spec.maxLr ?? 1, step).momentum;
}

/** Set every group's lr (and OneCycle's momentum / β₁) for step t, from each group's initial lr. */
export function applySchedule(opt: Optimizer, spec: ScheduleSpec, step: number): void {
  const momentum = momentumAt(spec, step);
  for (let g = 0; g < opt.groupCount; g++) {
    opt.setLr(g, lrAt(spec, step, opt.initialLr(g)));
    if (momentum === null) continue;
    const h = opt.hyperOf(g);
    if ('beta1' in h) opt.setHyper(g, 'beta1', momentum);
    else if ('momentum' in h) opt.setHyper(g, 'momentum', momentum);
  }
}
