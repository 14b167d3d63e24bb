// Style transfer benchmark (not a CI test): our CLI vs a PyTorch peer doing the same Gatys objective on
// torchvision VGG19 with random weights, same size, iterations and optimiser, one process each (so peak
// RSS is each side's own). Prints wall-time and peak-memory ratios (ours / PyTorch; target time ≤ 0.7).
// The default is the working size (512 px) for 30 iterations; --size 256 --steps 20 is a quick
// preview-sized run, where a cold process's session set-up weighs more (docs/techniques.md).
// Usage: npx tsx bench/style/run.ts [--size 512] [--steps 30] [--optimiser adam|lbfgs] [--threads N]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fitSize } from '../../main/techniques/create-shared/pixels';
import { PYTHON, requireFastPeerBlas } from '../lib/torch';
import { peer, ours, report } from './compare';

requireFastPeerBlas();

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cache = path.resolve(here, '../.cache');
const { values: v } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    steps: { type: 'string', default: '30' },
    optimiser: { type: 'string', default: 'adam' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    content: { type: 'string', default: path.resolve(root, '../shared/models/photos/grace_hopper.png') },
    style: { type: 'string', default: path.resolve(root, '../shared/models/photos/sunflower.png') },
  },
});
const size = Number(v.size);
const meta = await sharp(v.content!).metadata();
const { width, height } = fitSize(meta.width!, meta.height!, size, 16);
const onnx = peer(PYTHON, path.join(here, 'torch_style.py'), ['--cache', cache, '--export-only']).json.onnx as string;
console.log(
  `style transfer, VGG19 (random weights) to relu5_1, ${width}×${height}, ${v.steps} ${v.optimiser} iterations, ${v.threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`,
);
const torch = peer(PYTHON, path.join(here, 'torch_style.py'), [
  '--content',
  v.content!,
  '--style',
  v.style!,
  '--width',
  String(width),
  '--height',
  String(height),
  '--steps',
  v.steps!,
  '--optimiser',
  v.optimiser!,
  '--threads',
  v.threads!,
  '--cache',
  cache,
]);
const mine = ours(
  root,
  [
    'style',
    '--content',
    v.content!,
    '--style',
    v.style!,
    '--model',
    onnx,
    '--size',
    String(size),
    '--steps',
    v.steps!,
    '--optimiser',
    v.optimiser!,
    '--seed',
    '0',
    '--out',
    path.join(cache, 'style-ours.png'),
    '--json',
  ],
  v.threads!,
);
report(
  torch,
  mine,
  v.optimiser === 'lbfgs' ? `torch L-BFGS (strong Wolfe) made ${torch.json.evaluations} evaluations; ours (Armijo) counts iterations` : '',
);
