// The model architectures the studio trains from scratch: one table, read by the trainer, the CLI and the UI.
import type { Model } from '../../onnx/ir.js';
import type { InitName } from './init.js';
import { lenet5 } from './lenet.js';
import { resnet20 } from './resnet.js';
import { vggSmall } from './vgg.js';

export interface ArchOptions {
  /** Image channels (1 grey, 3 RGB); the input is 'input' [N, channels, size, size]. */
  channels: 1 | 3;
  size: number;
  classes: number;
  /** Dropout before the classifier (default: the architecture's). */
  dropout?: number;
  init?: InitName;
  seed?: number;
}

export interface Architecture {
  label: string;
  reference: string;
  /** Dropout before the classifier when the options give none. */
  defaultDropout: number;
  /** An ONNX classifier: input 'input' [N, C, size, size] float32, output 'logits' [N, classes]. */
  build(o: ArchOptions): Model;
}

export const ARCHITECTURES = {
  lenet5: {
    label: 'LeNet-5',
    reference: 'LeCun et al. 1998, with ReLU and max-pooling; first conv padded by 2 at 28 px',
    defaultDropout: 0,
    build: lenet5,
  },
  'vgg-small': {
    label: 'Small VGG (32-64-128, BN)',
    reference: 'Simonyan & Zisserman 2015 pattern: 3 stages of 2 conv3×3+BN+ReLU and a max-pool, dropout, fc',
    defaultDropout: 0.5,
    build: vggSmall,
  },
  resnet20: {
    label: 'ResNet-20',
    reference: 'He et al. 2016 CIFAR ResNet: 3×3 basic blocks at 16/32/64 channels, option-A shortcuts, GAP, fc',
    defaultDropout: 0,
    build: resnet20,
  },
} satisfies Record<string, Architecture>;

export type ArchName = keyof typeof ARCHITECTURES;

export function buildArchitecture(name: ArchName, o: ArchOptions): Model {
  return ARCHITECTURES[name].build(o);
}
