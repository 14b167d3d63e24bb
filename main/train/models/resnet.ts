// ResNet-20 for CIFAR (He et al. 2016, section 4.2): a 3×3 conv with 16 channels, then 3 stages × 3 basic
// blocks (two 3×3 convs with BN, ReLU between and after the sum) at 16, 32 and 64 channels, the first
// block of stages 2 and 3 at stride 2, global average pooling and fc K: 0.27 M parameters.
// Shortcuts are option A, as in the paper's CIFAR runs: identity, and where the shape changes the input
// subsampled by 2 with the new channels zero (x[:, :, ::2, ::2] padded by C/2 channels on each side),
// written as a 1×1 stride-2 conv with a fixed 0/1 kernel: no parameters.
import type { Model } from '../../onnx/ir.js';
import type { ArchOptions } from './arch.js';
import { NetBuilder } from './net.js';

/** 1×1 kernel [P, C] that copies channel c to c + (P − C)/2 and leaves the rest zero. */
function padChannelsKernel(inC: number, outC: number): Float32Array {
  const k = new Float32Array(outC * inC);
  const off = (outC - inC) / 2;
  for (let c = 0; c < inC; c++) k[(c + off) * inC + c] = 1;
  return k;
}

function basicBlock(n: NetBuilder, name: string, x: string, planes: number, stride: number): string {
  let y = n.relu(n.bn(`${name}.bn1`, n.conv(`${name}.conv1`, x, planes, 3, { stride, pad: 1, bias: false })));
  y = n.bn(`${name}.bn2`, n.conv(`${name}.conv2`, y, planes, 3, { pad: 1, bias: false }));
  const inC = n.shape(x)[0];
  const shortcut = stride === 1 && inC === planes ? x : n.fixedConv(`${name}.shortcut`, x, padChannelsKernel(inC, planes), planes, stride);
  return n.relu(n.add(y, shortcut));
}

export function resnet20(o: ArchOptions): Model {
  const n = new NetBuilder('input', [o.channels, o.size, o.size], o);
  let x = n.relu(n.bn('bn1', n.conv('conv1', 'input', 16, 3, { pad: 1, bias: false })));
  [16, 32, 64].forEach((planes, s) => {
    for (let i = 0; i < 3; i++) x = basicBlock(n, `layer${s + 1}.${i}`, x, planes, s > 0 && i === 0 ? 2 : 1);
  });
  x = n.dropout('dropout', n.flatten(n.globalAvgPool(x)), o.dropout ?? 0);
  return n.finish(n.linear('fc', x, o.classes), 'resnet20');
}
