// bench/preprocess: resizing a 12 MP photo to the model input, the studio's PIL-exact resample (pil-resample.ts,
// TypeScript) against PIL's own C code under torchvision (the peer) and against sharp's linear kernel (libvips, the
// path before #14), all on already-decoded pixels, in one run. The decode of the same photo as a JPEG is shown for
// scale: it is what a user waits for anyway. CPU time is the ratio's basis (steady on a shared machine); wall time is
// printed beside it. Run: npx tsx bench/preprocess/run.ts
import path from 'node:path';
import sharp from 'sharp';
import type { Preprocessing } from '../../main/api/contract';
import { decodeImage } from '../../main/image/decode';
import { cropGeometry, resizeForModel } from '../../main/image/preprocess';
import { median, runPython } from '../lib/torch';

const [W, H] = [4000, 3000];
const reps = Number(process.env.BENCH_REPS ?? 15);
const base: Preprocessing = { channelOrder: 'RGB', layout: 'NCHW', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' };
const recipes: Record<string, Preprocessing> = { crop: { ...base, resize: 'shorter-then-crop', resizeTo: 256 }, fill: base };

const rgb = Buffer.alloc(W * H * 3);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++) rgb.set([Math.floor((x * x + y * y) / 64) % 256, (x ^ y) & 255, (x + 2 * y) % 256], (y * W + x) * 3);
const jpeg = new Uint8Array(
  await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer(),
);
const decoded = await decodeImage('12mp.jpg', jpeg);

interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall and CPU milliseconds (CPU counts every thread of the process: libvips' pool too). */
async function time(f: () => Promise<unknown>): Promise<Timing> {
  await f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await f();
    const d = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const fmt = (t: Timing) => `${t.wall.toFixed(0)} ms (CPU ${t.cpu.toFixed(0)})`;

/** The resize before #14: sharp's linear kernel, then the crop. */
function sharpLinear(pre: Preprocessing) {
  const g = cropGeometry(pre, [224, 224], W, H);
  const p = decoded.image.clone();
  return (
    g
      ? p.resize(g.midW, g.midH, { fit: 'fill', kernel: 'linear' }).extract({ left: g.left, top: g.top, width: 224, height: 224 })
      : p.resize(224, 224, { fit: 'fill', kernel: 'linear' })
  )
    .raw()
    .toBuffer();
}

const peer = runPython<Record<string, Timing>>(path.resolve('bench/preprocess/pil_peer.py'), [String(W), String(H), String(reps)]);
const decodeMs = await time(() => decodeImage('12mp.jpg', jpeg));
console.log(`${W}x${H}: decoding the JPEG takes ${fmt(decodeMs)}; medians of ${reps}, wall (CPU), ratios on CPU time`);
for (const [name, pre] of Object.entries(recipes)) {
  const ours = await time(() => resizeForModel(decoded.image, W, H, pre, [224, 224]));
  const old = await time(() => sharpLinear(pre));
  console.log(
    `${name.padEnd(4)}  studio (PIL-exact, TS) ${fmt(ours)} | PIL/torchvision ${fmt(peer[name])} | sharp linear ${fmt(old)}` +
      `  -> ratio vs PIL ${(ours.cpu / peer[name].cpu).toFixed(2)}, vs sharp ${(ours.cpu / old.cpu).toFixed(2)}`,
  );
}
