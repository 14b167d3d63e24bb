// The hyperparameters of torch.optim's optimisers and the knobs that describe them (label, torch keyword,
// default, suggested range) for CLI flags, UI controls and validation. Node-free: the optimiser
// playground imports this too.

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

// Knobs shared by several optimisers; the argument is torch's default for that optimiser.

export const lrKnob = (d: number): Knob<HyperName> => ({
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
export const wdKnob = (d: number, label = 'Weight decay (L2)'): Knob<HyperName> => ({
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
export const epsKnob = (d: number): Knob<HyperName> => ({
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
export const momentumKnob = (d: number): Knob<HyperName> => ({
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
export const adamKnobs = (wd: Knob<HyperName>): Knob<HyperName>[] => [
  lrKnob(1e-3),
  { name: 'beta1', label: 'β₁ (first moment decay)', torch: 'betas[0]', type: 'number', default: 0.9, min: 0, max: 0.999, step: 0.001 },
  { name: 'beta2', label: 'β₂ (second moment decay)', torch: 'betas[1]', type: 'number', default: 0.999, min: 0, max: 0.99999, step: 1e-5 },
  epsKnob(1e-8),
  wd,
  { name: 'amsgrad', label: 'AMSGrad', torch: 'amsgrad', type: 'boolean', default: false },
];
