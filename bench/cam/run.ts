// bench/cam: Grad-CAM latency (forward + backward + map, per image) and Score-CAM latency against a
// PyTorch implementation of the same methods (bench/cam/cam_peer.py) on torchvision ResNet-50 with
// random weights, target layer4, the same input tensor, in one run; printed as ratios (target <= 0.7).
// Score-CAM runs over the first BENCH_SCORECAM_CHANNELS channels of layer4's 2048 on both sides
// (the full 2048 take minutes on a small CPU); the per-image figure scales linearly with channels.
// Run: npx tsx bench/cam/run.ts   (needs python3-torch + python3-torchvision; not a CI test)
import fs from 'node:fs';
import path from 'node:path';
import type { ModelMeta } from '../../main/api/contract';
import { preprocessImage } from '../../main/classify/classify';
import { defaultThreads } from '../../main/runtime/sessions';
import { computeCam } from '../../main/techniques/cam/cam';
import { gradCamWeights, normalize, relu, weightedSum, argmax } from '../../main/techniques/cam/methods';
import { scoreCamWeights } from '../../main/techniques/cam/score-cam';
import { camGraphs, releaseCamSessions } from '../../main/techniques/cam/sessions';
import { resizeBilinear } from '../../main/techniques/shared/resample';
import { encodeNpy } from '../../main/util/npy';
import { median, requireFastPeerBlas, runPython } from '../lib/torch';

requireFastPeerBlas();

const cache = path.resolve('bench/.cache');
fs.mkdirSync(cache, { recursive: true });
const onnxPath = path.join(cache, 'resnet50_random.onnx');
const reps = Number(process.env.BENCH_REPS ?? 20);
const channels = Number(process.env.BENCH_SCORECAM_CHANNELS ?? 128);
const batch = 16;
process.env.BENCH_THREADS = String(defaultThreads());
// The same export bench/classify makes (torchvision ResNet-50, seed 0).
if (!fs.existsSync(onnxPath)) runPython(path.resolve('bench/classify/resnet50_peer.py'), [onnxPath, '', '0']);

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
const photoPath = path.resolve('../shared/models/photos/bird.png');
const photo = new Uint8Array(fs.readFileSync(photoPath));
const pre = await preprocessImage('bird.png', photo, meta);
const dims = [1, 3, 224, 224];
const tensorPath = path.join(cache, 'cam_input.npy');
fs.writeFileSync(tensorPath, encodeNpy({ data: pre.tensor, shape: dims }));

const g = await camGraphs(onnxPath, [224, 224]);
/** Same scope as the peer: tensor in, Grad-CAM map at the input size out. */
async function gradcam(): Promise<{ map: Float32Array; top1: number }> {
  const f = await g.forward(pre.tensor, dims);
  const top1 = argmax(f.logits.data);
  const w = new Float32Array(g.classes);
  w[top1] = 1;
  const grad = await g.gradient(f.activation, f.extras, w);
  const [, c, h, wd] = f.activation.dims;
  const cam = relu(weightedSum(f.activation.data, c, h * wd, gradCamWeights(grad.data, c, h * wd)));
  return { map: normalize(resizeBilinear(cam, wd, h, 224, 224)), top1 };
}
async function scorecam(): Promise<Float32Array> {
  const f = await g.forward(pre.tensor, dims);
  const top1 = argmax(f.logits.data);
  const [, , h, wd] = f.activation.dims;
  const a = { data: f.activation.data.subarray(0, channels * h * wd), dims: [1, channels, h, wd] };
  const weights = await scoreCamWeights(g, pre.tensor, dims, a, top1, batch, {});
  return normalize(resizeBilinear(relu(weightedSum(a.data, channels, h * wd, weights)), wd, h, 224, 224));
}
const time = async (fn: () => Promise<unknown>, n: number) => {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
};

const oursGrad = await time(gradcam, reps);
const oursScore = await time(scorecam, Math.max(1, Math.floor(reps / 10)));
const e2e = await time(() => computeCam(meta, [], 'bird.png', photo, { method: 'gradcam' }), reps);
const { map, top1 } = await gradcam();
const peak = argmax(map);
await releaseCamSessions();
const torch = runPython<{
  gradcam_ms: number;
  gradcam_library_ms: number;
  scorecam_ms: number;
  top1: number;
  peak: [number, number];
  threads: number;
}>(path.resolve('bench/cam/cam_peer.py'), [tensorPath, String(reps), String(channels), String(batch)]);

console.log(`bench/cam  ResNet-50 (random weights), layer4, 224 px, ${defaultThreads()} threads (PyTorch ${torch.threads}), medians`);
console.log(
  `  Grad-CAM, tensor -> map:   ours ${oursGrad.toFixed(1)} ms   PyTorch (grad to layer4 only) ${torch.gradcam_ms.toFixed(1)} ms   ratio ${(oursGrad / torch.gradcam_ms).toFixed(2)}`,
);
console.log(
  `                             PyTorch as pytorch-grad-cam does it (loss.backward()) ${torch.gradcam_library_ms.toFixed(1)} ms   ratio ${(oursGrad / torch.gradcam_library_ms).toFixed(2)}`,
);
console.log(
  `  Score-CAM, ${channels} of 2048 channels, batch ${batch}: ours ${oursScore.toFixed(0)} ms   PyTorch ${torch.scorecam_ms.toFixed(0)} ms   ratio ${(oursScore / torch.scorecam_ms).toFixed(2)}`,
);
console.log(
  `  (full 2048 channels ≈ ours ${((oursScore * 2048) / channels / 1000).toFixed(1)} s, PyTorch ${((torch.scorecam_ms * 2048) / channels / 1000).toFixed(1)} s)`,
);
console.log(`  drop-to-heat-map (decode, preprocess, Grad-CAM, map over the photo): ${e2e.toFixed(1)} ms`);
console.log(
  `  same top-1: ${torch.top1 === top1}; peak ours (${peak % 224}, ${Math.floor(peak / 224)}) vs PyTorch (${torch.peak.join(', ')})`,
);
console.log(`  target: ratios <= 0.7`);
