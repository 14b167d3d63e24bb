// Resolving and checking hyperparameters as torch.optim's constructors do: neutral values, the
// optimiser's defaults, then the caller's, with torch's range checks. Shared by Optimizer (per group)
// and the playground (resolveHyper for the float64 rules). Node-free.

import { OPTIMIZER_INFO, defaultHyper, isOptimizerId, type OptimizerId } from './catalog.js';
import type { Hyper } from './knobs.js';

// Values of knobs an optimiser does not list, so every rule can read a full Hyper: neutral for torch.
export const NEUTRAL: Hyper = {
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

/** Throws on a key that is not one of the optimiser's knobs. */
export function checkKnown(kind: OptimizerId, o: object, where: string): void {
  const known = OPTIMIZER_INFO[kind].hyper;
  for (const k of Object.keys(o))
    if (k !== 'params' && !known.some((n) => n.name === k)) throw new RangeError(`${where}: ${kind} has no hyperparameter '${k}'`);
}

/**
 * Every hyperparameter a rule reads: neutral values, the optimiser's defaults, then `hyper`, checked as
 * torch's constructor checks. What the playground hands RULES64; Optimizer does the same per group.
 */
export function resolveHyper(kind: OptimizerId, hyper: Partial<Hyper> = {}): Hyper {
  if (!isOptimizerId(kind)) throw new RangeError(`unknown optimizer '${String(kind)}'`);
  checkKnown(kind, hyper, 'optimizer');
  const h: Hyper = { ...NEUTRAL, ...defaultHyper(kind), ...hyper };
  validate(kind, h);
  return h;
}

/** torch's constructor checks (ValueError there, RangeError here). */
export function validate(kind: OptimizerId, h: Hyper): void {
  const bad = (what: string, v: number | boolean): never => {
    throw new RangeError(`${OPTIMIZER_INFO[kind].label}: invalid ${what}: ${v}`);
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
