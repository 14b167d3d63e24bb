// Adversarial examples on the model's own input: FGSM (Goodfellow et al. 2015) and PGD (Madry et al.
// 2018), untargeted (raise the cross-entropy of the true class) or targeted (lower it for the target).
// ε is in [0, 1] pixel units (8/255 = eight grey levels); steps happen in pixel space, so the L∞
// bound holds in the photo whatever the model's scale/mean/std. The result is rounded to 8-bit
// toward the original pixel (|δ| never exceeds ε), and judged on those rounded pixels: what you export.
import type { ModelMeta, TopClass } from '../../api/contract';
import { StudioError } from '../../api/contract';
import { softmax, topK } from '../../classify/postprocess';
import { decodeImage } from '../../image/decode';
import sharp from 'sharp';
import { resizeForModel } from '../../image/preprocess';
import { perturbPhoto } from './photo-resolution';
import type { CamHooks, RgbImage } from '../cam/cam';
import { modelIR } from '../shared/graph-index';
import { gradRunner, logitsModel, type LogitsModel } from '../shared/engine-runner';
import { gradToPixels, rng, tensorDims, toTensor, type FloatImage } from '../shared/pixels';

export type AttackMethod = 'fgsm' | 'pgd';

export interface AttackOptions {
  method: AttackMethod;
  /** L∞ budget in [0, 1] pixel units. */
  epsilon: number;
  /** PGD iterations (Madry et al.: 7-40; default 10). */
  steps?: number;
  /** PGD step in [0, 1] units; default 2.5·ε/steps (Madry et al.). */
  stepSize?: number;
  /** Target class index (targeted attack); default untargeted against the top-1. */
  target?: number;
  /** PGD random start inside the ε-ball. */
  randomStart?: boolean;
  seed?: number;
  /** ε values for the "smallest ε that flips top-1" sweep (FGSM, one gradient for all). */
  sweep?: number[];
  topK?: number;
}

/** Whole grey levels only: finer steps vanish in an 8-bit image. */
export const DEFAULT_SWEEP = [1, 2, 3, 4, 6, 8, 12, 16].map((v) => v / 255);

export interface AttackResult {
  method: AttackMethod;
  epsilon: number;
  steps: number;
  stepSize: number;
  target: number | null;
  original: TopClass[];
  adversarial: TopClass[];
  /** Top-1 changed (untargeted) or became the target (targeted). */
  success: boolean;
  /** Largest |δ| actually used, in [0, 1] units. */
  linf: number;
  sweep: { epsilon: number; top1: TopClass }[];
  smallestFlipEpsilon: number | null;
  /** Model-input-sized images: the photo as the model sees it, the adversarial one, and |δ|×10 around grey. */
  originalImage: RgbImage;
  adversarialImage: RgbImage;
  perturbationImage: RgbImage;
  /** The same perturbation at the photo's own resolution, and what the model makes of that image. */
  photo: { image: RgbImage; adversarial: TopClass[]; success: boolean };
  ms: number;
}

export async function attack(
  meta: ModelMeta,
  labels: readonly string[],
  name: string,
  bytes: Uint8Array,
  o: AttackOptions,
  hooks: CamHooks = {},
): Promise<AttackResult> {
  const t0 = performance.now();
  if (!meta.path || meta.status !== 'available') throw new StudioError('model_missing', `${meta.name} is not on disk yet.`);
  if (!(o.epsilon >= 0 && o.epsilon <= 1)) throw new StudioError('bad_request', 'epsilon must be in [0, 1] (pixel units; 8/255 ≈ 0.031)');
  const decoded = await decodeImage(name, bytes);
  const px0 = await resizeForModel(decoded.image, decoded.width, decoded.height, meta.preprocessing, meta.inputSize);
  const [h, w] = meta.inputSize;
  const x0: FloatImage = { px: Float32Array.from(px0.rgb), width: w, height: h };
  const fwd = await logitsModel(meta.path, meta.outputName);
  const pre = meta.preprocessing;
  const dims = tensorDims(pre, 1, h, w);
  const label = (i: number) => labels[i + meta.labelOffset] ?? `class ${i}`;
  const top = (logits: Float32Array): TopClass[] =>
    topK(softmax(logits), o.topK ?? 5).map(({ index, value }) => ({ index, label: label(index), probability: value }));
  const [l0] = await fwd.run(toTensor(x0, pre), dims);
  const original = top(l0);
  const target = o.target ?? null;
  const index = target ?? original[0].index;
  // Untargeted: ascend CE(true); targeted: descend CE(target).
  const sign = target === null ? 1 : -1;
  const spec = { objectives: [{ objective: { kind: 'crossentropy' as const, tensor: fwd.logits, index } }] };
  const gradAt = async (img: FloatImage) =>
    gradToPixels((await gradRunner().gradient(modelIR(meta.path!).model, spec, toTensor(img, pre), dims)).grad, w, h, pre);

  const eps = o.epsilon * 255;
  const steps = o.method === 'fgsm' ? 1 : Math.max(1, Math.round(o.steps ?? 10));
  const alpha = o.method === 'fgsm' ? eps : (o.stepSize ?? (2.5 * o.epsilon) / steps) * 255;
  const x: FloatImage = { px: Float32Array.from(x0.px), width: w, height: h };
  if (o.method === 'pgd' && o.randomStart) {
    const r = rng(o.seed ?? 0);
    for (let i = 0; i < x.px.length; i++) x.px[i] += (r() * 2 - 1) * eps;
    project(x.px, x0.px, eps);
  }
  let g0: Float32Array | null = null;
  for (let s = 0; s < steps; s++) {
    hooks.throwIfCancelled?.();
    const g = await gradAt(x);
    if (s === 0 && !o.randomStart) g0 = g;
    for (let i = 0; i < x.px.length; i++) x.px[i] += sign * alpha * Math.sign(g[i]);
    project(x.px, x0.px, eps);
    hooks.progress?.((s + 1) / (steps + 1), `${o.method.toUpperCase()} step ${s + 1} of ${steps}`);
  }
  const adv = quantizeToward(x.px, x0.px);
  const [l1] = await fwd.run(toTensor({ px: Float32Array.from(adv), width: w, height: h }, pre), dims);
  const adversarial = top(l1);
  const success = target === null ? adversarial[0].index !== original[0].index : adversarial[0].index === target;
  const sweepEps = o.sweep ?? DEFAULT_SWEEP;
  const sweep = await fgsmSweep(fwd, g0 ?? (await gradAt(x0)), x0, pre, sign, sweepEps, top);
  const flip = sweep.find((s) => (target === null ? s.top1.index !== original[0].index : s.top1.index === target));
  let linf = 0;
  const pert = new Uint8Array(adv.length);
  for (let i = 0; i < adv.length; i++) {
    const d = adv[i] - px0.rgb[i];
    linf = Math.max(linf, Math.abs(d));
    pert[i] = Math.max(0, Math.min(255, 128 + 10 * d));
  }
  const photoImage = await perturbPhoto(decoded, pre, meta.inputSize, px0.rgb, adv, Math.floor(eps + 1e-6));
  const raw = { raw: { width: photoImage.width, height: photoImage.height, channels: 3 as const } };
  const photoPx = await resizeForModel(sharp(Buffer.from(photoImage.rgb), raw), photoImage.width, photoImage.height, pre, meta.inputSize);
  const [l2] = await fwd.run(toTensor({ px: Float32Array.from(photoPx.rgb), width: w, height: h }, pre), dims);
  const photoTop = top(l2);
  const photoSuccess = target === null ? photoTop[0].index !== original[0].index : photoTop[0].index === target;
  hooks.progress?.(1);
  return {
    method: o.method,
    epsilon: o.epsilon,
    steps,
    stepSize: alpha / 255,
    target,
    original,
    adversarial,
    success,
    linf: linf / 255,
    sweep,
    smallestFlipEpsilon: flip ? flip.epsilon : null,
    originalImage: { rgb: px0.rgb, width: w, height: h },
    adversarialImage: { rgb: adv, width: w, height: h },
    perturbationImage: { rgb: pert, width: w, height: h },
    photo: { image: photoImage, adversarial: photoTop, success: photoSuccess },
    ms: performance.now() - t0,
  };
}

/** Into the ε-ball around x0 and the valid pixel range. */
function project(px: Float32Array, x0: Float32Array, eps: number): void {
  for (let i = 0; i < px.length; i++) {
    const lo = Math.max(0, x0[i] - eps);
    const hi = Math.min(255, x0[i] + eps);
    px[i] = px[i] < lo ? lo : px[i] > hi ? hi : px[i];
  }
}

/** 8-bit pixels, rounded toward the original so |δ| ≤ ε survives quantisation. */
function quantizeToward(px: Float32Array, x0: Float32Array): Uint8Array {
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i++)
    out[i] = Math.max(0, Math.min(255, x0[i] + Math.trunc(px[i] - x0[i] + (px[i] > x0[i] ? 1e-4 : -1e-4))));
  return out;
}

/** FGSM at every ε of the sweep from one gradient, all candidates in batches. */
async function fgsmSweep(
  fwd: LogitsModel,
  g: Float32Array,
  x0: FloatImage,
  pre: ModelMeta['preprocessing'],
  sign: number,
  eps: number[],
  top: (l: Float32Array) => TopClass[],
): Promise<{ epsilon: number; top1: TopClass }[]> {
  const { width: w, height: h } = x0;
  const per = 3 * w * h;
  const out: { epsilon: number; top1: TopClass }[] = [];
  const size = Math.min(4, fwd.maxBatch);
  for (let start = 0; start < eps.length; start += size) {
    const chunk = eps.slice(start, start + size);
    const batch = new Float32Array(per * chunk.length);
    chunk.forEach((e, j) => {
      const px = new Float32Array(x0.px.length);
      for (let i = 0; i < px.length; i++) px[i] = x0.px[i] + sign * e * 255 * Math.sign(g[i]);
      project(px, x0.px, e * 255);
      toTensor({ px: Float32Array.from(quantizeToward(px, x0.px)), width: w, height: h }, pre, batch, j * per);
    });
    const logits = await fwd.run(batch, tensorDims(pre, chunk.length, h, w));
    chunk.forEach((e, j) => out.push({ epsilon: e, top1: top(logits[j])[0] }));
  }
  return out;
}
