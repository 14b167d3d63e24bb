// DeepDream (Mordvintsev et al. 2015, google/deepdream): gradient ascent on a layer's mean squared
// activation (or one channel), over octaves from small to full size with the detail carried up, random
// jitter each step, step / mean|g| in pixel units, and tiles for images larger than a tile.
import type { ModelMeta } from '../../api/contract';
import type { Objective } from '../../onnx/loss';
import {
  createModel,
  defaultDreamLayer,
  fixedSize,
  fixedSizeNote,
  layer,
  requireSize,
  smallestSide,
  type CreateModel,
} from '../create-shared/model';
import { activations, activationsCached, session } from '../create-shared/net';
import type { CreateResult, DreamParams } from '../create-shared/params';
import { channelRange, dims, imgToRgb, loadRgb, resizeImg, rgbToImg, unitPerPixel, type Img } from '../create-shared/pixels';
import { Tracker, type Reporter } from '../create-shared/progress';
import { finish } from '../create-shared/result';
import { roll } from '../../optim/image-ops';
import { seededRng, type Rng } from '../../optim/rng';
import { matchGuide } from './guide';
import { crop, paste, tiles } from './tiles';

/** Octave sizes, smallest first (each side a multiple of 8 so every pooling stage divides evenly), the last the image's own. */
function octaveSizes(base: { width: number; height: number }, octaves: number, scale: number): { width: number; height: number }[] {
  const sizes: { width: number; height: number }[] = [];
  for (let k = octaves - 1; k >= 0; k--) {
    const s = Math.pow(scale, k);
    sizes.push({ width: Math.max(32, Math.round(base.width / s / 8) * 8), height: Math.max(32, Math.round(base.height / s / 8) * 8) });
  }
  sizes[sizes.length - 1] = { width: base.width, height: base.height };
  return sizes;
}

interface Step {
  loss: number;
  grad: Float32Array;
}

type GradFn = (img: Img) => Promise<Step>;

export async function dream(meta: ModelMeta, p: DreamParams, r: Reporter): Promise<CreateResult> {
  const cm = createModel(meta);
  const names = p.layers.length > 0 ? p.layers : [defaultDreamLayer(cm)];
  const tensors = names.map((n) => layer(cm, n).tensor);
  // A network that takes one size only (ViT) dreams at that size, in one octave, without tiles.
  const fixed = fixedSize(cm, tensors);
  const base = rgbToImg(await loadRgb(p.image.name, p.image.bytes, fixed ?? p.size, 8, fixed ? 'cover' : 'fill'), cm.pre);
  const rng = seededRng(p.seed);
  const notes = fixed
    ? [fixedSizeNote(cm, fixed, `the image was`) + (p.octaves > 1 ? ` It was dreamed in 1 octave (not ${p.octaves}).` : '')]
    : [];
  const octaves = fixed ? 1 : p.octaves;
  const tile = fixed ? Infinity : p.tile;

  const sizes = octaveSizes(base, octaves, p.octaveScale);
  const min = smallestSide(cm, tensors);
  const small = sizes[0];
  if (!fixed && (small.width < min || small.height < min)) {
    // The largest octave count whose smallest octave the network still takes.
    let fit = p.octaves - 1;
    while (fit > 0 && Math.min(octaveSizes(base, fit, p.octaveScale)[0].width, octaveSizes(base, fit, p.octaveScale)[0].height) < min)
      fit--;
    requireSize(
      cm,
      tensors,
      small.width,
      small.height,
      `the smallest of ${p.octaves} octaves`,
      fit > 0
        ? `use --octaves ${fit} (or a larger --size / a smaller --octave-scale)`
        : `use a larger --size (at least ${Math.ceil((min * Math.max(base.width, base.height)) / Math.min(base.width, base.height))})`,
    );
  }

  const track = new Tracker(r, octaves * p.steps, cm.pre, { previewEvery: p.previewEvery, frames: p.timelapse });
  const gradFn = p.guide
    ? await guidedGrad(cm, tensors[0], p, track, fixed)
    : plainGrad(cm, objectives(tensors, p.channel), tile, rng, track);
  const parts: CreateResult['parts'] = {};

  let detail: Img | null = null;
  let img: Img = base;
  for (let o = 0; o < sizes.length; o++) {
    const octBase = resizeImg(base, sizes[o].width, sizes[o].height);
    img = octBase;
    if (detail) {
      const d = resizeImg(detail, octBase.width, octBase.height);
      img = { ...octBase, data: octBase.data.map((v, i) => v + d.data[i]) };
    }
    let first = NaN;
    let last = NaN;
    for (let i = 0; i < p.steps; i++) {
      const jx = p.jitter ? rng.int(-p.jitter, p.jitter) : 0;
      const jy = p.jitter ? rng.int(-p.jitter, p.jitter) : 0;
      const shifted = { ...img, data: roll(img.data, dims(img), jy, jx) };
      const { loss, grad } = await gradFn(shifted);
      ascend(img, roll(grad, dims(img), -jy, -jx), p.stepSize, cm);
      if (i === 0) first = loss;
      last = loss;
      track.done(loss, img, {}, `octave ${o + 1} / ${sizes.length}, step ${i + 1} / ${p.steps}`);
    }
    parts[`octave${o + 1}`] = { start: first, end: last };
    detail = { ...img, data: img.data.map((v, i) => v - octBase.data[i]) };
  }
  return finish({
    tool: 'dream',
    rgb: imgToRgb(img, cm.pre),
    width: img.width,
    height: img.height,
    track,
    format: p.format,
    exportSize: p.exportSize,
    timelapse: p.timelapse,
    parts,
    notes,
    prov: {
      technique: 'dream',
      method: p.guide ? 'guided' : p.channel !== undefined ? 'channel' : 'layer',
      meta,
      sha256: cm.sha256,
      layers: names,
      seed: p.seed,
      source: p.image.name,
      parameters: {
        size: p.size,
        octaves,
        octaveScale: p.octaveScale,
        steps: p.steps,
        stepSize: p.stepSize,
        jitter: p.jitter,
        channel: p.channel,
        tile: p.tile,
        guide: p.guide?.name,
      },
    },
  });
}

function objectives(tensors: string[], channel?: number): { objective: Objective; weight: number }[] {
  if (channel !== undefined) return [{ objective: { kind: 'channel', tensor: tensors[0], channel }, weight: 1 }];
  return tensors.map((t) => ({ objective: { kind: 'meansq', tensor: t }, weight: 1 / tensors.length }));
}

/**
 * x += step · k² · g / mean|g·k| per channel, k = model units per pixel unit (google's step in 0..255
 * units), then clamped to the valid pixel range, in one pass.
 */
function ascend(img: Img, g: Float32Array, step: number, cm: CreateModel): void {
  const plane = img.width * img.height;
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    const k = unitPerPixel(cm.pre, c);
    let s = 0;
    for (let i = c * plane; i < (c + 1) * plane; i++) s += Math.abs(g[i]);
    sum += s * Math.abs(k);
  }
  const mean = sum / g.length || 1;
  const x = img.data;
  for (let c = 0; c < 3; c++) {
    const k = unitPerPixel(cm.pre, c);
    const f = (step * k * k) / (mean + 1e-12);
    const [lo, hi] = channelRange(cm.pre, c);
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      const v = x[i] + f * g[i];
      x[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/** Gradient of the objective; for images larger than `tile`, per tile after a random shift (seams move). */
function plainGrad(cm: CreateModel, objs: { objective: Objective; weight: number }[], tile: number, rng: Rng, track: Tracker): GradFn {
  return async (img) => {
    if (img.width <= tile && img.height <= tile) {
      track.check();
      const s = await session(cm, objs, img);
      const res = await s.run(img.data, dims(img));
      return { loss: res.loss, grad: res.grad };
    }
    const sx = rng.int(0, tile - 1);
    const sy = rng.int(0, tile - 1);
    const shifted: Img = { ...img, data: roll(img.data, dims(img), sy, sx) };
    const grad = new Float32Array(img.data.length);
    let loss = 0;
    const list = tiles(img.width, img.height, tile);
    for (const t of list) {
      track.check();
      const sub = crop(shifted, t);
      const res = await (await session(cm, objs, sub)).run(sub.data, dims(sub));
      loss += res.loss / list.length;
      paste(grad, img.width, img.height, res.grad, t);
    }
    return { loss, grad: roll(grad, dims(img), -sy, -sx) };
  };
}

/**
 * Guided: a content objective whose target is y + matched guide feature. Its descent direction at y is the
 * matched guide vector, so we ascend on the negated gradient; the reported objective is the mean match.
 */
async function guidedGrad(
  cm: CreateModel,
  tensor: string,
  p: DreamParams,
  track: Tracker,
  fixed: { width: number; height: number } | null,
): Promise<GradFn> {
  const guideImg = rgbToImg(
    await loadRgb(p.guide!.name, p.guide!.bytes, fixed ?? Math.min(p.size, 320), 8, fixed ? 'cover' : 'fill'),
    cm.pre,
  );
  const g = (await activations(cm, [tensor], guideImg))[tensor];
  const content: Objective = { kind: 'content', tensor };
  return async (img) => {
    track.check();
    const y = (await activationsCached(cm, [tensor], img))[tensor];
    const { direction, objective } = matchGuide(y, g);
    const target = new Float32Array(y.data.length);
    for (let i = 0; i < target.length; i++) target[i] = y.data[i] + direction[i];
    track.check();
    const s = await session(cm, [{ objective: content, weight: 1 }], img);
    const res = await s.run(img.data, dims(img), { [`target:${tensor}`]: { data: target, dims: y.dims } });
    return { loss: objective, grad: res.grad.map((v) => -v) };
  };
}
