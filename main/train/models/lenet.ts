// LeNet-5 (LeCun et al. 1998) as taught today: ReLU and max-pooling instead of tanh and subsampling.
// conv5×5 6 → ReLU → maxpool2 → conv5×5 16 → ReLU → maxpool2 → fc120 → ReLU → fc84 → ReLU → fc K.
// The first conv is padded by 2 at 28×28 (MNIST), so 28 and 32 px both reach 16×5×5 before fc1.
import type { Model } from '../../onnx/ir.js';
import type { ArchOptions } from './arch.js';
import { NetBuilder } from './net.js';

export function lenet5(o: ArchOptions): Model {
  const n = new NetBuilder('input', [o.channels, o.size, o.size], o);
  let x = n.maxPool(n.relu(n.conv('conv1', 'input', 6, 5, { pad: o.size === 28 ? 2 : 0 })));
  x = n.maxPool(n.relu(n.conv('conv2', x, 16, 5)));
  x = n.relu(n.linear('fc1', n.flatten(x), 120));
  x = n.relu(n.linear('fc2', x, 84));
  x = n.dropout('dropout', x, o.dropout ?? 0);
  return n.finish(n.linear('fc3', x, o.classes), 'lenet5');
}
