// A model as the create tools see it: its IR (optionally with MaxPool→AveragePool), its preprocessing,
// its readable layers and the default layers per tool, chosen from the roles the layer listing suggests.
import type { ModelMeta, Preprocessing } from '../../api/contract';
import { StudioError } from '../../api/contract';
import { cloneModel, floatTensor, realInputs, type Model } from '../../onnx/ir';
import { inferShapes } from '../../onnx/shapes';
import { listLayers, resolveLayer, withMapViews, type LayerInfo } from '../../onnx/layers';
import { maxPoolToAverage, truncateAt } from '../../onnx/surgery';
import { modelIR } from '../shared/graph-index';
import { modelSha256 } from '../shared/provenance';

export interface CreateModel {
  meta: ModelMeta;
  file: string;
  ir: Model;
  pre: Preprocessing;
  layers: LayerInfo[];
  sha256: string;
  avgPool: boolean;
}

const cache = new Map<string, { base: Model; cm: CreateModel }>();

export function createModel(meta: ModelMeta, opts: { avgPool?: boolean } = {}): CreateModel {
  if (!meta.path) throw new StudioError('model_missing', `${meta.name} is not on disk: download it in the Models panel first.`);
  if (meta.preprocessing.layout !== 'NCHW') throw new StudioError('bad_model', `${meta.name}: the create tools need an NCHW model.`);
  const avgPool = !!opts.avgPool;
  const { model } = modelIR(meta.path);
  const key = `${meta.path}|${avgPool}`;
  const hit = cache.get(key);
  // The IR cache reloads a changed file: the identity of its model tells whether ours is current.
  if (hit && hit.base === model && hit.cm.meta.id === meta.id) return hit.cm;
  // Token sequences and channels-last maps are read through their NCHW view (map-view.ts).
  const viewed = withMapViews(model, listLayers(model, meta.inputSize));
  let ir = viewed.model;
  if (avgPool) {
    ir = cloneModel(ir);
    maxPoolToAverage(ir);
  }
  const cm: CreateModel = {
    meta,
    file: meta.path,
    ir,
    pre: meta.preprocessing,
    layers: viewed.layers,
    sha256: modelSha256(meta),
    avgPool,
  };
  cache.set(key, { base: model, cm });
  if (cache.size > 8) cache.delete(cache.keys().next().value as string);
  return cm;
}

/** Readable name or tensor name → layer; the error lists what exists. */
export function layer(cm: CreateModel, name: string): LayerInfo {
  const l = resolveLayer(cm.layers, name);
  if (!l) {
    const some = cm.layers
      .filter((x) => x.roles.length > 0)
      .map((x) => x.name)
      .slice(0, 12)
      .join(', ');
    throw new StudioError('bad_request', `${cm.meta.name} has no layer "${name}" (try: ${some})`);
  }
  if (l.shape.length !== 4) throw new StudioError('bad_request', `${name} is not a spatial feature map (shape ${l.shape.join('×')})`);
  return l;
}

const byRole = (cm: CreateModel, role: 'style' | 'content' | 'dream') => cm.layers.filter((l) => l.roles.includes(role));
const channels = (l: LayerInfo) => (typeof l.shape[1] === 'number' ? l.shape[1] : 0);

/** Gatys 2016: content relu4_2 (or the model's suggested content layer). */
export function defaultContentLayer(cm: CreateModel): string {
  const c = byRole(cm, 'content')[0] ?? byRole(cm, 'dream')[0];
  if (!c) throw new StudioError('bad_model', `${cm.meta.name}: no feature layer to use as content`);
  return c.name;
}

/** Gatys 2016: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (or the suggested style layers). */
export function defaultStyleLayers(cm: CreateModel): string[] {
  const s = byRole(cm, 'style').map((l) => l.name);
  if (s.length === 0) throw new StudioError('bad_model', `${cm.meta.name}: no feature layers to take style from`);
  return s;
}

/** Gatys 2015 textures: conv1_1 and pool1…pool4 where the model has them, else the style layers. */
export function defaultTextureLayers(cm: CreateModel): string[] {
  const names = ['conv1_1', 'pool1', 'pool2', 'pool3', 'pool4'].filter((n) => cm.layers.some((l) => l.name === n));
  return names.length >= 3 ? names : defaultStyleLayers(cm);
}

/** DeepDream: a wide layer in the middle-to-deep range (google/deepdream used inception_4c). */
export function defaultDreamLayer(cm: CreateModel): string {
  const d = byRole(cm, 'dream');
  if (d.length === 0) return defaultContentLayer(cm);
  const sorted = [...d].map(channels).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const wide = d.filter((l) => channels(l) >= median);
  return wide[Math.floor(wide.length / 2)].name;
}

/** Inversion strip: the style layers shallow→deep, plus the content layer, in graph order. */
export function defaultInversionLayers(cm: CreateModel): string[] {
  const want = new Set([...defaultStyleLayers(cm), defaultContentLayer(cm)]);
  return cm.layers.filter((l) => want.has(l.name)).map((l) => l.name);
}

/** The largest stride among the layers: image sides are rounded to a multiple of it (capped at 32). */
export function sizeMultiple(cm: CreateModel, names: string[]): number {
  const s = Math.max(1, ...names.map((n) => layer(cm, n).stride));
  return Math.min(32, s);
}

/** Feature RMS outside this range is brought to 1 before Gram and content terms (see withScaledLayers). */
const RMS_RANGE: [number, number] = [1e-6, 1e6];

/** √(mean a²) in float64. */
export function rms(a: { data: Float32Array }): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
  return Math.sqrt(s / Math.max(1, a.data.length));
}

/** The factor that brings a layer's RMS to 1 when it lies outside RMS_RANGE, else 1. */
export function rescaleFactor(r: number): number {
  return r > 0 && Number.isFinite(r) && (r < RMS_RANGE[0] || r > RMS_RANGE[1]) ? 1 / r : 1;
}

const scaled = new WeakMap<CreateModel, Map<string, CreateModel>>();

/**
 * The model with some layers multiplied by constants, read under new tensor names ("scaled:<tensor>").
 * Untrained deep nets have activations of 1e-22 at their last stages: their float32 Gram matrices are
 * subnormal (1e-46 on GoogLeNet's inception4e), and a loss normalised by such a target overflows to
 * NaN. Normalised terms (‖G − Gₜ‖²/‖Gₜ‖², ‖F − Fₜ‖²/‖Fₜ‖²) are unchanged by the scale: it only keeps the
 * numbers in float32's range.
 */
export function withScaledLayers(cm: CreateModel, factors: Map<string, number>): CreateModel {
  const todo = [...factors].filter(([, k]) => k !== 1);
  if (todo.length === 0) return cm;
  const key = todo.map(([t, k]) => `${t}*${k}`).join('|');
  const byModel = scaled.get(cm) ?? new Map<string, CreateModel>();
  scaled.set(cm, byModel);
  const hit = byModel.get(key);
  if (hit) return hit;
  const ir = cloneModel(cm.ir);
  const rename = new Map<string, string>();
  for (const [t, k] of todo) {
    const out = `scaled:${t}`;
    ir.graph.initializers.set(`${out}:k`, floatTensor(`${out}:k`, [], [k]));
    ir.graph.nodes.push({ name: out, opType: 'Mul', domain: '', inputs: [t, `${out}:k`], outputs: [out], attrs: {} });
    rename.set(t, out);
  }
  const layers = cm.layers.map((l) => (rename.has(l.tensor) ? { ...l, tensor: rename.get(l.tensor)! } : l));
  const out: CreateModel = { ...cm, ir, layers };
  byModel.set(key, out);
  return out;
}

const smallest = new WeakMap<CreateModel, Map<string, number>>();

/**
 * The smallest square input side the network accepts up to `tensors` (every kernel fits its padded input
 * all the way there): Inception-v3 needs 75 px before mixed_7c, so a 47-px DeepDream octave would otherwise
 * reach ONNX Runtime as "Conv: Invalid input shape". Found by bisection on static shape inference.
 */
export function smallestSide(cm: CreateModel, tensors: string[]): number {
  const key = tensors.join('|');
  const byModel = smallest.get(cm) ?? new Map<string, number>();
  smallest.set(cm, byModel);
  const hit = byModel.get(key);
  if (hit !== undefined) return hit;
  const cut = truncateAt(cm.ir, tensors);
  const inp = realInputs(cut.graph)[0];
  const fits = (side: number): boolean => {
    inp.shape = [1, 3, side, side];
    cut.graph.valueInfo.clear();
    try {
      inferShapes(cut);
      return true;
    } catch {
      return false;
    }
  };
  let lo = 1;
  let hi = 4096;
  if (fits(lo) || !fits(hi)) lo = hi = fits(lo) ? 1 : 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  byModel.set(key, hi);
  return hi;
}

const fixed = new WeakMap<CreateModel, Map<string, { width: number; height: number } | null>>();

/**
 * The one input size the network takes up to `tensors`, when it takes no other (ViT: its position embedding
 * has 197 tokens, the 14×14 patches of 224×224 and a class token), else null: the cut network's shapes fit
 * its own size but not twice that. The create tools then run at that size instead of failing.
 */
export function fixedSize(cm: CreateModel, tensors: string[]): { width: number; height: number } | null {
  const key = tensors.join('|');
  const byModel = fixed.get(cm) ?? new Map<string, { width: number; height: number } | null>();
  fixed.set(cm, byModel);
  if (byModel.has(key)) return byModel.get(key)!;
  const cut = truncateAt(cm.ir, tensors);
  const inp = realInputs(cut.graph)[0];
  const [H, W] = cm.meta.inputSize;
  const fits = (h: number, w: number): boolean => {
    inp.shape = [1, 3, h, w];
    cut.graph.valueInfo.clear();
    try {
      inferShapes(cut);
      return true;
    } catch {
      return false;
    }
  };
  const size = fits(H, W) && !fits(2 * H, 2 * W) ? { width: W, height: H } : null;
  byModel.set(key, size);
  return size;
}

/** What a create tool tells the user when it ran at the model's fixed size rather than the one asked for. */
export function fixedSizeNote(cm: CreateModel, size: { width: number; height: number }, what: string): string {
  return (
    `${cm.meta.name} takes exactly ${size.width}×${size.height} px images (no other size fits its layers): ` +
    `${what} scaled to cover ${size.width}×${size.height} and cropped to the centre, instead of the size asked for.`
  );
}

/** Refuses an image size the network cannot take, before anything runs, saying the smallest it accepts. */
export function requireSize(cm: CreateModel, tensors: string[], width: number, height: number, what: string, fix: string): void {
  const min = smallestSide(cm, tensors);
  if (min > 0 && (width < min || height < min))
    throw new StudioError(
      'bad_request',
      `${cm.meta.name} accepts images of at least ${min}×${min} px up to ${tensors.map((t) => cm.layers.find((l) => l.tensor === t)?.name ?? t).join(', ')}; ` +
        `${what} would be ${width}×${height}: ${fix}`,
    );
}
