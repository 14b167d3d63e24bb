// Class visualisation by gradient ascent on a class logit (Simonyan et al. 2014), with the
// regularisers of Yosinski et al. 2015: L2 decay toward grey, random jitter, a Gaussian blur every k
// steps, and clamping to valid pixels. Steps are normalised by the gradient's mean |g| so one learning
// rate (in grey levels) suits every model. Previews are PNGs, not tensors.
import sharp from 'sharp';
import type { ModelMeta, TopClass } from '../../api/contract';
import { StudioError } from '../../api/contract';
import { softmax, topK } from '../../classify/postprocess';
import type { CamHooks, RgbImage } from '../cam/cam';
import { modelIR } from '../shared/graph-index';
import { gradRunner, logitsModel } from '../shared/engine-runner';
import { clampPixels, gaussianBlur, gradToPixels, rng, roll, tensorDims, toBytes, toTensor, type FloatImage } from '../shared/pixels';

export interface VisualizeOptions {
  classIndex: number;
  steps?: number;
  /** Step size in grey levels per (normalised) step. */
  learningRate?: number;
  /** Fraction of the distance to grey removed per step (L2 decay). */
  l2Decay?: number;
  /** Max random shift per step, in pixels. */
  jitter?: number;
  /** Blur every k steps (0 = never) with this σ in pixels. */
  blurEvery?: number;
  blurSigma?: number;
  start?: 'grey' | 'noise';
  seed?: number;
  /** Preview every n steps. */
  previewEvery?: number;
}

export const VISUALIZE_DEFAULTS: Required<Omit<VisualizeOptions, 'classIndex'>> = {
  steps: 160,
  learningRate: 3,
  l2Decay: 0.004,
  jitter: 8,
  blurEvery: 4,
  blurSigma: 0.6,
  start: 'grey',
  seed: 0,
  previewEvery: 10,
};

export interface VisualizeHooks extends CamHooks {
  preview?: (png: Uint8Array, step: number) => void;
  metric?: (step: number, name: string, value: number) => void;
}

export interface VisualizeResult {
  classIndex: number;
  label: string;
  /** Logit and probability of the class on the final image. */
  logit: number;
  probability: number;
  top: TopClass[];
  image: RgbImage;
  params: Required<Omit<VisualizeOptions, 'classIndex'>>;
  ms: number;
}

export async function visualizeClass(
  meta: ModelMeta,
  labels: readonly string[],
  opts: VisualizeOptions,
  hooks: VisualizeHooks = {},
): Promise<VisualizeResult> {
  const t0 = performance.now();
  if (!meta.path || meta.status !== 'available') throw new StudioError('model_missing', `${meta.name} is not on disk yet.`);
  const p = {
    ...VISUALIZE_DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as Required<VisualizeOptions>;
  const fwd = await logitsModel(meta.path, meta.outputName);
  const [h, w] = meta.inputSize;
  const pre = meta.preprocessing;
  const dims = tensorDims(pre, 1, h, w);
  const r = rng(p.seed);
  const x: FloatImage = { px: new Float32Array(h * w * 3).fill(128), width: w, height: h };
  if (p.start === 'noise') for (let i = 0; i < x.px.length; i++) x.px[i] = 128 + (r() * 2 - 1) * 20;
  const spec = { objectives: [{ objective: { kind: 'class' as const, tensor: fwd.logits, index: p.classIndex } }] };
  for (let step = 1; step <= p.steps; step++) {
    hooks.throwIfCancelled?.();
    const dx = Math.round((r() * 2 - 1) * p.jitter);
    const dy = Math.round((r() * 2 - 1) * p.jitter);
    const shifted: FloatImage = { px: roll(x, dx, dy), width: w, height: h };
    const res = await gradRunner().gradient(modelIR(meta.path).model, spec, toTensor(shifted, pre), dims);
    const g = roll({ px: gradToPixels(res.grad, w, h, pre), width: w, height: h }, -dx, -dy);
    let mean = 0;
    for (const v of g) mean += Math.abs(v);
    mean = mean / g.length + 1e-12;
    const k = p.learningRate / mean;
    for (let i = 0; i < x.px.length; i++) x.px[i] = 128 + (x.px[i] + k * g[i] - 128) * (1 - p.l2Decay);
    if (p.blurEvery > 0 && step % p.blurEvery === 0) gaussianBlur(x, p.blurSigma);
    clampPixels(x.px);
    hooks.metric?.(step, 'logit', res.loss);
    hooks.progress?.(step / p.steps, `step ${step} of ${p.steps}: logit ${res.loss.toFixed(2)}`);
    if (hooks.preview && (step % p.previewEvery === 0 || step === p.steps)) {
      hooks.preview(
        await sharp(Buffer.from(toBytes(x.px)), { raw: { width: w, height: h, channels: 3 } })
          .png()
          .toBuffer(),
        step,
      );
    }
  }
  const rgb = toBytes(x.px);
  const [logits] = await fwd.run(toTensor({ px: Float32Array.from(rgb), width: w, height: h }, pre), dims);
  const probs = softmax(logits);
  const label = (i: number) => labels[i + meta.labelOffset] ?? `class ${i}`;
  const { classIndex: _c, ...params } = p;
  return {
    classIndex: p.classIndex,
    label: label(p.classIndex),
    logit: logits[p.classIndex],
    probability: probs[p.classIndex],
    top: topK(probs, 5).map(({ index, value }) => ({ index, label: label(index), probability: value })),
    image: { rgb, width: w, height: h },
    params,
    ms: performance.now() - t0,
  };
}
