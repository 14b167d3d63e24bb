// The Train form's choices: modes, optimisers, architectures, schedules, augmentations, with one line each for
// the UI. Keyed by the contract's enums, so a new id in the contract fails typechecking here until it is described.
// (The engine's own optimiser table lives in main/train/optim and the renderer may import only main/api/: the
// default learning rates below mirror torch.optim's, as that table does.)
import type { ArchId, AugmentId, OptimizerId, TrainMode, TrainParams } from '../../../../main/api/contract';

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

export const OPTIMIZERS: Record<OptimizerId, { name: string; about: string; lr: number; momentum?: number }> = {
  sgd: { name: 'SGD', about: 'Plain gradient descent: each step moves against the gradient, scaled by the learning rate.', lr: 0.01 },
  momentum: {
    name: 'SGD + momentum',
    about: 'Gradient descent with a running velocity, so steady directions speed up and zig-zags cancel.',
    lr: 0.01,
    momentum: 0.9,
  },
  nesterov: {
    name: 'Nesterov momentum',
    about: 'Momentum that looks ahead: the step uses the gradient plus the velocity it is about to add.',
    lr: 0.01,
    momentum: 0.9,
  },
  adagrad: { name: 'Adagrad', about: 'Per-weight learning rates that shrink with the sum of past squared gradients.', lr: 0.01 },
  adadelta: {
    name: 'Adadelta',
    about: 'Adagrad without the ever-shrinking rate: steps scale by running averages of squared gradients and updates.',
    lr: 1,
  },
  rmsprop: {
    name: 'RMSprop',
    about: 'Divides each step by a running root-mean-square of recent gradients, so every weight moves at a similar pace.',
    lr: 0.01,
    momentum: 0,
  },
  adam: { name: 'Adam', about: 'Momentum plus RMSprop scaling, with bias correction for the first steps; the usual default.', lr: 0.001 },
  adamw: { name: 'AdamW', about: 'Adam with weight decay applied to the weights directly rather than through the gradient.', lr: 0.001 },
};

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

export const SCHEDULES: [TrainParams['schedule'], string][] = [
  ['constant', 'Constant'],
  ['step', 'Step decay'],
  ['cosine', 'Cosine annealing'],
  ['onecycle', 'One-cycle'],
];

export const AUGMENTS: Record<AugmentId, { name: string; about: string }> = {
  flip: { name: 'Flip', about: 'Mirror left to right at random' },
  crop: { name: 'Crop', about: 'Random crop and rescale' },
  rotate: { name: 'Rotate', about: 'Small random rotations' },
  color: { name: 'Colour', about: 'Random brightness, contrast and saturation' },
};
export const AUGMENT_ORDER: AugmentId[] = ['flip', 'crop', 'rotate', 'color'];

/** The optimisers whose update uses a momentum term (the field is shown only for them). */
export const usesMomentum = (o: OptimizerId): boolean => OPTIMIZERS[o].momentum !== undefined;
