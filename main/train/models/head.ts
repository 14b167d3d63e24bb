// Transfer heads trained on a frozen backbone's embeddings [N, D]: a linear classifier, or an MLP
// D → hidden → ReLU → Dropout → K. Input 'embedding', output 'logits'; parameters fc.* (fc1.*, fc2.*).
import type { Model } from '../../onnx/ir.js';
import type { InitName } from './init.js';
import { NetBuilder } from './net.js';

export interface HeadOptions {
  dim: number;
  classes: number;
  kind: 'linear' | 'mlp';
  /** MLP width (default 256). */
  hidden?: number;
  /** MLP dropout after the ReLU (default 0.5). */
  dropout?: number;
  init?: InitName;
  seed?: number;
}

export function buildHead(o: HeadOptions): Model {
  const n = new NetBuilder('embedding', [o.dim], { init: o.init ?? 'torch-default', seed: o.seed });
  if (o.kind === 'linear') return n.finish(n.linear('fc', 'embedding', o.classes), 'linear-head');
  const h = n.dropout('dropout', n.relu(n.linear('fc1', 'embedding', o.hidden ?? 256)), o.dropout ?? 0.5);
  return n.finish(n.linear('fc2', h, o.classes), 'mlp-head');
}
