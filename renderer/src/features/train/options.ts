// The Train form's choices: modes, optimisers, architectures, schedules, augmentations, with one line each for
// the UI. Keyed by the contract's enums, so a new id in the contract fails typechecking here until it is described.
// Optimisers and schedules are the engine's own tables (conventions §2: one table per family), read from
// main/train/optim, which is Node-free: labels, summaries and torch.optim's defaults come from there.
import { OptimizerId, ScheduleId, type ArchId, type AugmentId, type TrainMode, type TrainParams } from '../../../../main/api/contract';
import { OPTIMIZERS, type HyperName } from '../../../../main/train/optim/optimizers';
import { SCHEDULES, type ScheduleKind } from '../../../../main/train/optim/schedules';

export { OPTIMIZERS };

export const MODES: Record<TrainMode, { name: string; short: string; about: string }> = {
  transfer: {
    name: 'Transfer learning',
    short: 'Transfer',
    about: 'Keep a trained network as is and fit a new last layer to your classes: fast, works with a few dozen images per class.',
  },
  finetune: {
    name: 'Fine-tune',
    short: 'Fine-tune',
    about: 'Also adjust the last blocks of the trained network, at a smaller learning rate: better with a few hundred images per class.',
  },
  scratch: {
    name: 'From scratch',
    short: 'Scratch',
    about: 'Train a small network from random weights: for small images (digits, icons) and thousands of examples.',
  },
};
export const MODE_ORDER: TrainMode[] = ['transfer', 'finetune', 'scratch'];

/** The contract's optimisers, in its order, for the select; OPTIMIZERS[id] fails typechecking for an id the table lacks. */
export const OPTIMIZER_ORDER: readonly OptimizerId[] = OptimizerId.options;

/** The default of one of an optimiser's knobs (torch.optim's), or undefined when it has no such knob. */
function knobDefault(o: OptimizerId, name: HyperName): number | undefined {
  const d = OPTIMIZERS[o].hyper.find((k) => k.name === name)?.default;
  return typeof d === 'number' ? d : undefined;
}
/** torch.optim's default learning rate for the optimiser: what the engine uses when the field is blank. */
export const defaultLr = (o: OptimizerId): number => knobDefault(o, 'lr') ?? 0.001;
/** torch.optim's default momentum, or undefined for optimisers without one (the field is shown only for them). */
export const defaultMomentum = (o: OptimizerId): number | undefined => knobDefault(o, 'momentum');
/** The optimisers whose update uses a momentum term. */
export const usesMomentum = (o: OptimizerId): boolean => defaultMomentum(o) !== undefined;

export const ARCHS: Record<ArchId, { name: string; about: string; size: number }> = {
  lenet5: { name: 'LeNet-5', about: 'Two convolutions and three dense layers (LeCun 1998): digits and other small images.', size: 28 },
  'vgg-small': { name: 'VGG-small', about: 'Stacks of 3×3 convolutions with pooling, a small VGG for 32 px images.', size: 32 },
  resnet20: { name: 'ResNet-20', about: 'Residual network for CIFAR-sized images (He et al. 2016): 20 layers, 0.27 M weights.', size: 32 },
};

export const INITS: [TrainParams['init'], string][] = [
  ['he', 'He (Kaiming) normal'],
  ['xavier', 'Xavier (Glorot) uniform'],
  ['torch-default', 'PyTorch default'],
];

type Schedule = TrainParams['schedule'];
/** The engine's schedule kind for each of the contract's ids (as main/train/train.ts loopOptions maps them). */
const SCHEDULE_KIND: Record<Schedule, ScheduleKind> = { constant: 'constant', step: 'step', cosine: 'cosine', onecycle: 'one-cycle' };
/** The schedules the form offers, in the contract's order, with the engine's label and one-line summary. */
export const SCHEDULE_OPTIONS: { id: Schedule; label: string; summary: string }[] = ScheduleId.options.map((id) => {
  const { label, summary } = SCHEDULES[SCHEDULE_KIND[id]];
  return { id, label, summary };
});

export const AUGMENTS: Record<AugmentId, { name: string; about: string }> = {
  flip: { name: 'Flip', about: 'Mirror left to right at random' },
  crop: { name: 'Crop', about: 'Random crop and rescale' },
  rotate: { name: 'Rotate', about: 'Small random rotations' },
  color: { name: 'Colour', about: 'Random brightness, contrast and saturation' },
};
export const AUGMENT_ORDER: AugmentId[] = ['flip', 'crop', 'rotate', 'color'];
