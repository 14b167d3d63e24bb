// A small VGG (Simonyan & Zisserman's pattern at CIFAR scale): three stages of two 3×3 convs (32, 64, 128
// channels), each conv followed by BatchNormalization and ReLU, a 2×2 max-pool after each stage, then
// dropout and one fully connected layer on the flattened features. Convs have no bias (BN's β is one).
import type { Model } from '../../onnx/ir.js';
import type { ArchOptions } from './arch.js';
import { NetBuilder } from './net.js';

export function vggSmall(o: ArchOptions): Model {
  const n = new NetBuilder('input', [o.channels, o.size, o.size], o);
  let x = 'input';
  [32, 64, 128].forEach((width, s) => {
    for (const j of [1, 2]) x = n.relu(n.bn(`bn${s + 1}_${j}`, n.conv(`conv${s + 1}_${j}`, x, width, 3, { pad: 1, bias: false })));
    x = n.maxPool(x);
  });
  x = n.dropout('dropout', n.flatten(x), o.dropout ?? 0.5);
  return n.finish(n.linear('fc', x, o.classes), 'vgg-small');
}
