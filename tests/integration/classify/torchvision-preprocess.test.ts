// The studio's model input against torchvision's, pixel for pixel and probability for probability (#14: "the
// classification of any photo matches torchvision's recipe to 1e-4"). tests/reference/torchvision_classify_fixtures.py
// wrote the 224x224 uint8 image torchvision hands to ToTensor() for the five shared photos, synthetic images of
// awkward sizes (the integer pattern() below) and a JPEG; here the studio decodes the same source bytes through
// its own path (decodeImage -> resizeForModel), and both inputs go through one real ORT session of
// mobilenet_v2_1.0_224, opened by the engine's SessionCache. Normalisation is the sidecar's (pixel/128 - 1) for
// both, so what is compared is the resize, the crop and the decoding.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../../main/api/contract';
import { softmax } from '../../../main/classify/postprocess';
import { decodeImage } from '../../../main/image/decode';
import { pixelsToTensor, resizeForModel } from '../../../main/image/preprocess';
import { readSidecarFor } from '../../../main/models/sidecar';
import { SessionCache } from '../../../main/runtime/sessions';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const dir = path.resolve('tests/fixtures/preprocess/tv');
interface Case {
  source: 'photo' | 'pattern' | 'jpeg';
  name: string;
  size: [number, number];
  recipe: 'fill' | 'crop' | 'fillcrop';
  file: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { cases: Case[] };

/** pattern() of the reference script, bit for bit: rings, an XOR checker with one-pixel detail, a ramp. */
export function pattern(w: number, h: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      rgb[i] = Math.floor((x * x + y * y) / 64) % 256;
      rgb[i + 1] = ((x ^ y) & 8 ? 40 : 200) + ((x * 7 + y * 3) % 16);
      rgb[i + 2] = (x + 2 * y) % 256;
    }
  return rgb;
}

async function sourceBytes(c: Case): Promise<Uint8Array> {
  if (c.source === 'photo') return new Uint8Array(fs.readFileSync(sharedPath('photos', `${c.name}.png`)));
  if (c.source === 'jpeg') return new Uint8Array(fs.readFileSync(path.join(dir, c.name)));
  const [w, h] = c.size;
  // Lossless PNG, so the studio's decoder is in the path as it is for a user's file.
  return new Uint8Array(
    await sharp(pattern(w, h), { raw: { width: w, height: h, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer(),
  );
}

function recipeFor(base: Preprocessing, recipe: Case['recipe']): Preprocessing {
  if (recipe === 'fill') return { ...base, resize: 'fill' };
  return { ...base, resize: recipe === 'crop' ? 'shorter-then-crop' : 'fill-then-crop', resizeTo: 256 };
}

async function torchvisionPixels(c: Case): Promise<Uint8Array> {
  const { data, info } = await sharp(path.join(dir, c.file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([224, 224, 3]);
  return new Uint8Array(data);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(!sharedModelsDir)("the studio's model input is torchvision's (mobilenet_v2_1.0_224)", () => {
  const modelPath = sharedPath('mobilenet_v2_1.0_224.onnx');
  const base = readSidecarFor(modelPath)!.preprocessing!;
  const sessions = new SessionCache(1);
  const rows: string[] = [];

  /** Softmax probabilities of the model for a batch of 224x224 RGB images under `pre`'s normalisation. */
  async function probabilities(images: Uint8Array[], pre: Preprocessing): Promise<Float32Array[]> {
    const ort = await import('onnxruntime-node');
    const session = await sessions.get(modelPath);
    const per = 3 * 224 * 224;
    const batch = new Float32Array(per * images.length);
    images.forEach((rgb, i) => pixelsToTensor({ rgb, width: 224, height: 224 }, pre, batch, i * per));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', batch, [images.length, 3, 224, 224]) });
    const logits = out[session.outputNames[0]].data as Float32Array;
    const n = logits.length / images.length;
    return images.map((_, i) => softmax(logits.subarray(i * n, (i + 1) * n)));
  }

  beforeAll(() => expect(base.resize).toBe('fill')); // the sidecar says: whole photo, no crop
  afterAll(async () => {
    console.log(`studio vs torchvision (max |Δpixel| levels, pixels differing, max |Δprobability|):\n${rows.join('\n')}`);
    await sessions.releaseAll();
  });

  for (const c of manifest.cases) {
    it(`${c.name} (${c.size.join('x')}), ${c.recipe}: same pixels, same probabilities`, async () => {
      const pre = recipeFor(base, c.recipe);
      const decoded = await decodeImage(c.name, await sourceBytes(c));
      expect([decoded.width, decoded.height]).toEqual(c.size);
      const ours = (await resizeForModel(decoded.image, decoded.width, decoded.height, pre, [224, 224])).rgb;
      const theirs = await torchvisionPixels(c);
      const [p, q] = await probabilities([ours, theirs], pre);
      const dPixel = maxAbsDiff(ours, theirs);
      const differing = ours.reduce((n, v, i) => n + (v !== theirs[i] ? 1 : 0), 0);
      const dProb = maxAbsDiff(p, q);
      rows.push(`  ${c.file.padEnd(32)} ${String(dPixel).padStart(3)} ${String(differing).padStart(6)}  ${dProb.toExponential(2)}`);
      expect(dPixel).toBeLessThanOrEqual(1);
      expect(dProb).toBeLessThanOrEqual(1e-4);
    });
  }
});
