// bench/classify: (1) our drop-to-top-5 path (decode, preprocess, infer, top-k) against PyTorch's forward
// alone on the same tensor, torchvision ResNet-50 with random weights, in one run; target ratio <= 0.7.
// (2) a folder of 200 images: our classifyMany images/s against raw ONNX Runtime images/s on ready
// tensors (batch 1, one after another); target >= 0.9.
// Run: npx tsx bench/classify/run.ts
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import type { ModelMeta } from '../../main/api/contract';
import { classifyMany, classifyOne, prepareModel, preprocessImage } from '../../main/classify/classify';
import { SessionCache, defaultThreads } from '../../main/runtime/sessions';
import { encodeNpy } from '../../main/util/npy';
import { median, requireFastPeerBlas, runPython } from '../lib/torch';

requireFastPeerBlas();

const cache = path.resolve('bench/.cache');
fs.mkdirSync(cache, { recursive: true });
const onnxPath = path.join(cache, 'resnet50_random.onnx');
const peer = path.resolve('bench/classify/resnet50_peer.py');
const reps = Number(process.env.BENCH_REPS ?? 20);
process.env.BENCH_THREADS = String(defaultThreads());

if (!fs.existsSync(onnxPath)) runPython(peer, [onnxPath, '', '0']);

const meta: ModelMeta = {
  id: 'resnet50-random',
  name: 'ResNet-50 (random weights)',
  family: 'ResNet',
  source: 'imported',
  status: 'available',
  path: onnxPath,
  inputSize: [224, 224],
  numClasses: 1000,
  outputIsProbabilities: false,
  labels: 'imagenet1k',
  labelOffset: 0,
  preprocessing: {
    channelOrder: 'RGB',
    layout: 'NCHW',
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    resize: 'shorter-then-crop',
    resizeTo: 256,
  },
};

// A real photo when the shared test data is there, else a generated one of the same size.
const photoPath = path.resolve('../shared/models/photos/bird.png');
const photo = fs.existsSync(photoPath)
  ? new Uint8Array(fs.readFileSync(photoPath))
  : new Uint8Array(
      await sharp({ create: { width: 512, height: 343, channels: 3, background: '#7a9' } })
        .png()
        .toBuffer(),
    );

const sessions = new SessionCache();
const model = await prepareModel(
  meta,
  sessions,
  Array.from({ length: 1000 }, (_, i) => `class ${i}`),
);

// (1) drop-to-top-5
const pre = await preprocessImage('bird.png', photo, meta);
const tensorPath = path.join(cache, 'resnet50_input.npy');
fs.writeFileSync(tensorPath, encodeNpy({ data: pre.tensor, shape: [1, 3, 224, 224] }));
for (let i = 0; i < 3; i++) await classifyOne(model, 'bird.png', photo, 5);
const ours: number[] = [];
for (let i = 0; i < reps; i++) ours.push((await classifyOne(model, 'bird.png', photo, 5)).ms);
const torch = runPython<{ forward_ms: number; top1: number; threads: number }>(peer, [onnxPath, tensorPath, String(reps)]);
const ourTop1 = (await classifyOne(model, 'bird.png', photo, 1)).top![0].index;
const dropRatio = median(ours) / torch.forward_ms;

// (2) folder of 200 images: JPEGs of different sizes made from the photo
const folder = path.join(cache, 'folder200');
if (!fs.existsSync(folder) || fs.readdirSync(folder).length < 200) {
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < 200; i++) {
    const w = 320 + ((i * 37) % 480);
    await sharp(photo)
      .resize(w)
      .modulate({ hue: (i * 17) % 360 })
      .jpeg({ quality: 90 })
      .toFile(path.join(folder, `img${String(i).padStart(3, '0')}.jpg`));
  }
}
const files = fs
  .readdirSync(folder)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .slice(0, 200);
let t0 = performance.now();
const results = await classifyMany(
  model,
  files.map((f) => ({ name: f, load: async () => new Uint8Array(await fs.promises.readFile(path.join(folder, f))) })),
  5,
);
const oursPerSec = files.length / ((performance.now() - t0) / 1000);
const errors = results.filter((r) => r.error).length;

const input = new ort.Tensor('float32', pre.tensor, [1, 3, 224, 224]);
t0 = performance.now();
for (let i = 0; i < files.length; i++) await model.session.run({ [model.inputName]: input });
const rawPerSec = files.length / ((performance.now() - t0) / 1000);
await sessions.releaseAll();

console.log(
  `bench/classify  ResNet-50 (random weights), 224 px, ${defaultThreads()} threads (PyTorch ${torch.threads}), median of ${reps}`,
);
console.log(`  drop-to-top-5 (ours, decode+preprocess+infer+top-k): ${median(ours).toFixed(1)} ms`);
console.log(
  `  PyTorch forward alone on the same tensor:             ${torch.forward_ms.toFixed(1)} ms   (same top-1: ${torch.top1 === ourTop1})`,
);
console.log(`  ratio ours / PyTorch = ${dropRatio.toFixed(2)}   (target <= 0.7)`);
console.log(`  folder of ${files.length}: ours ${oursPerSec.toFixed(1)} img/s (${errors} errors) vs raw ORT ${rawPerSec.toFixed(1)} img/s`);
console.log(`  ratio ours / raw ORT = ${(oursPerSec / rawPerSec).toFixed(2)}   (target >= 0.9)`);
