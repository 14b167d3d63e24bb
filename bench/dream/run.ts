// DeepDream benchmark (not a CI test): our CLI vs a PyTorch peer running the same algorithm (octaves with
// detail, jitter, step / mean|g|, clamp) on torchvision VGG19 with random weights to relu4_2, same size,
// octaves and steps, one process each. Prints wall-time and peak-memory ratios (ours / PyTorch) per size:
// a small preview size and the size google/deepdream works at (its sample image is 1024 px wide).
// Usage: npx tsx bench/dream/run.ts [--sizes 384,768] [--steps 10] [--octaves 4] [--threads N]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fitSize } from '../../main/techniques/create-shared/pixels';
import { PYTHON, requireFastPeerBlas } from '../lib/torch';
import { ours, peer, report } from '../style/compare';

requireFastPeerBlas();

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cache = path.resolve(here, '../.cache');
const { values: v } = parseArgs({
  options: {
    sizes: { type: 'string', default: '384,768' },
    steps: { type: 'string', default: '10' },
    octaves: { type: 'string', default: '4' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    image: { type: 'string', default: path.resolve(root, '../shared/models/photos/cat.png') },
  },
});
const meta = await sharp(v.image!).metadata();
const onnx = peer(PYTHON, path.join(root, 'bench/style/torch_style.py'), ['--cache', cache, '--export-only']).json.onnx as string;
for (const size of v.sizes!.split(',').map(Number)) {
  const { width, height } = fitSize(meta.width!, meta.height!, size, 8);
  console.log(
    `DeepDream, VGG19 (random weights) relu4_2, ${width}×${height}, ${v.octaves} octaves × ${v.steps} steps, ${v.threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`,
  );
  const torch = peer(PYTHON, path.join(here, 'torch_dream.py'), [
    '--image',
    v.image!,
    '--width',
    String(width),
    '--height',
    String(height),
    '--layer-index',
    '22',
    '--steps',
    v.steps!,
    '--octaves',
    v.octaves!,
    '--threads',
    v.threads!,
    '--cache',
    cache,
  ]);
  const mine = ours(
    root,
    [
      'dream',
      '--image',
      v.image!,
      '--model',
      onnx,
      '--layer',
      'relu4_2',
      '--size',
      String(size),
      '--steps',
      v.steps!,
      '--octaves',
      v.octaves!,
      // Whole-image gradients like the peer (tiling only bounds memory on big images and adds overlap work).
      '--tile',
      String(Math.max(width, height)),
      '--seed',
      '0',
      '--out',
      path.join(cache, 'dream-ours.png'),
      '--json',
    ],
    v.threads!,
  );
  report(torch, mine);
}
