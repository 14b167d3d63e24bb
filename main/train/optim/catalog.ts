// The optimiser family as data: each torch.optim method's label, one-line summary and hyperparameter knobs
// (defaults from torch.optim). optimizers.ts adds the constructor to make OPTIMIZERS; hyper.ts resolves
// and checks values against it. Node-free.

import { adamKnobs, epsKnob, lrKnob, momentumKnob, wdKnob, type Hyper, type HyperName, type Knob } from './knobs.js';

export type OptimizerId = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'adadelta' | 'rmsprop' | 'adam' | 'adamw';

/** What the family says of one optimiser: everything of an OptimizerSpec but its id and constructor. */
export interface OptimizerInfo {
  label: string;
  summary: string;
  hyper: readonly Knob<HyperName>[];
}

/** Per optimiser id, in the order the UI lists them. */
export const OPTIMIZER_INFO: Readonly<Record<OptimizerId, OptimizerInfo>> = {
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

export function isOptimizerId(id: string): id is OptimizerId {
  return Object.hasOwn(OPTIMIZER_INFO, id);
}

/** The optimiser's defaults (knob defaults) over which user values and group overrides are laid. */
export function defaultHyper(kind: OptimizerId): Partial<Hyper> {
  return Object.fromEntries(OPTIMIZER_INFO[kind].hyper.map((k) => [k.name, k.default])) as Partial<Hyper>;
}
