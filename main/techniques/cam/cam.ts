// A class activation map for one photo: prepare (sessions for model + layer) -> preprocess (the
// classifier's own path) -> forward (scores + activation) -> method (gradient of the head, classifier
// weights, or Score-CAM's masked batches) -> the map spread over the original photo, with its peak.
import { createHash } from 'node:crypto';
import type { ModelMeta, TopClass } from '../../api/contract';
import { StudioError } from '../../api/contract';
import { softmax, topK } from '../../classify/postprocess';
import { decodeImage } from '../../image/decode';
import { pixelsToTensor, resizeForModel } from '../../image/preprocess';
import { inputRegion, mapToImage, type Region } from '../shared/resample';
import { camMap, type MapInput } from './map';
import { argmax, normalize, type CamMethod } from './methods';
import { camGraphs, type CamGraphs, type Tensor32 } from './sessions';

export interface CamOptions {
  method: CamMethod;
  /** Output index; default the top-1 class. */
  classIndex?: number;
  /** Tensor name; default the suggested layer. */
  layer?: string;
  topK?: number;
  /** Score-CAM batch size (pytorch-grad-cam uses 16). */
  batchSize?: number;
  /** Average over horizontal flips × brightness 0.9/1/1.1 (pytorch-grad-cam's aug_smooth). */
  augSmooth?: boolean;
  /** First principal component of the weighted activations instead of their sum (Eigen-CAM style). */
  eigenSmooth?: boolean;
}

export interface CamHooks {
  progress?: (fraction: number, message?: string) => void;
  throwIfCancelled?: () => void;
}

export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export interface CamResult {
  method: CamMethod;
  layer: string;
  layerReason: string;
  suggestedLayer: string;
  class: TopClass;
  top: TopClass[];
  /** Map at the layer's resolution, in [0, 1]; `raw` before ReLU and normalisation. */
  map: Float32Array;
  raw: Float32Array;
  mapWidth: number;
  mapHeight: number;
  image: RgbImage;
  region: Region;
  /** The map over the whole photo [height, width]; NaN where the model's input does not reach. */
  full: Float32Array;
  /** Hottest point in original-image pixels. */
  peak: { x: number; y: number };
  ms: number;
}

interface Prepared {
  graphs: CamGraphs;
  input: Float32Array;
  dims: number[];
  image: RgbImage;
  logits: Float32Array;
  activation: Tensor32;
  extras: Record<string, Tensor32>;
  /** The source was the model's input itself (no resize or crop). */
  exact: boolean;
}

/** Photo bytes, or pixels already at the model's input size (adversarial images) fed as they are. */
export type CamSource = Uint8Array | RgbImage;

// The last few forward passes, so switching class or method on the same photo skips the forward pass.
const recent = new Map<string, Prepared>();

export async function prepareCam(
  meta: ModelMeta,
  name: string,
  source: CamSource,
  layer: string | undefined,
  wantGradient: boolean,
): Promise<Prepared> {
  if (!meta.path || meta.status !== 'available') throw new StudioError('model_missing', `${meta.name} is not on disk yet.`);
  const graphs = await camGraphs(meta.path, meta.inputSize, meta.outputName, layer, wantGradient);
  const exact = !(source instanceof Uint8Array);
  const key = `${createHash('sha1')
    .update(exact ? source.rgb : source)
    .digest('hex')}|${exact}|${meta.path}|${graphs.layer}|${wantGradient}|${JSON.stringify(meta.preprocessing)}`;
  const hit = recent.get(key);
  // Only while its sessions live: a released cache (Engine.dispose, a CLI run's end) built new graphs.
  if (hit && hit.graphs === graphs) return hit;
  const [h, w] = meta.inputSize;
  const dims = meta.preprocessing.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
  let image: RgbImage;
  let input: Float32Array;
  if (exact) {
    if (source.width !== w || source.height !== h) throw new StudioError('bad_request', `pixels must be ${w}×${h}, the model's input size`);
    image = source;
    input = pixelsToTensor(source, meta.preprocessing);
  } else {
    const decoded = await decodeImage(name, source);
    const px = await resizeForModel(decoded.image, decoded.width, decoded.height, meta.preprocessing, meta.inputSize);
    input = pixelsToTensor(px, meta.preprocessing);
    const raw = await decoded.image.clone().raw().toBuffer();
    image = { rgb: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), width: decoded.width, height: decoded.height };
  }
  const { logits, activation, extras } = await graphs.forward(input, dims);
  const prepared: Prepared = { graphs, input, dims, image, logits: logits.data, activation, extras, exact };
  recent.set(key, prepared);
  if (recent.size > 3) recent.delete(recent.keys().next().value as string);
  return prepared;
}

export async function computeCam(
  meta: ModelMeta,
  labels: readonly string[],
  name: string,
  source: CamSource,
  opts: CamOptions,
  hooks: CamHooks = {},
): Promise<CamResult> {
  const t0 = performance.now();
  const p = await prepareCam(meta, name, source, opts.layer, opts.method !== 'scorecam' && opts.method !== 'cam');
  hooks.throwIfCancelled?.();
  const { graphs, activation } = p;
  const probs = softmax(p.logits);
  const label = (i: number) => labels[i + meta.labelOffset] ?? `class ${i}`;
  const top = topK(probs, opts.topK ?? 5).map(({ index, value }) => ({ index, label: label(index), probability: value }));
  const index = opts.classIndex ?? top[0].index;
  if (!Number.isInteger(index) || index < 0 || index >= graphs.classes)
    throw new StudioError('bad_request', `class ${index} is out of range (the model has ${graphs.classes} classes)`);
  if (activation.dims.length !== 4)
    throw new StudioError('bad_request', `layer "${graphs.layer}" is not a spatial map (shape [${activation.dims.join(', ')}])`);
  const [, , h, w] = activation.dims;
  const base = { graphs, input: p.input, dims: p.dims, activation, extras: p.extras };
  const mapOpts = { method: opts.method, index, eigenSmooth: opts.eigenSmooth, batchSize: opts.batchSize };
  let { raw, map } = await camMap(base, mapOpts, opts.augSmooth ? {} : hooks);
  if (opts.augSmooth) {
    // Horizontal flip × brightness 0.9 / 1 / 1.1, each map un-flipped, then averaged (pytorch-grad-cam's aug_smooth).
    const sum = new Float32Array(map.length);
    let n = 0;
    for (const flip of [false, true]) {
      for (const factor of [0.9, 1, 1.1]) {
        hooks.throwIfCancelled?.();
        const variant = flip || factor !== 1 ? await augmented(graphs, p.input, p.dims, flip, factor) : base;
        const m = flip || factor !== 1 ? (await camMap(variant, mapOpts)).map : map;
        const back = flip ? flipMap(m, w, h) : m;
        for (let i = 0; i < sum.length; i++) sum[i] += back[i];
        hooks.progress?.(++n / 6, `smoothing: ${n} of 6 views`);
      }
    }
    map = normalize(sum);
    raw = sum;
  }
  const region = p.exact
    ? { x: 0, y: 0, width: p.image.width, height: p.image.height }
    : inputRegion(meta.preprocessing, meta.inputSize, p.image.width, p.image.height);
  const full = mapToImage(map, w, h, region, p.image.width, p.image.height);
  const at = argmax(full.map((v) => (Number.isNaN(v) ? -1 : v)));
  hooks.progress?.(1);
  return {
    method: opts.method,
    layer: graphs.layer,
    layerReason:
      graphs.layer === graphs.head.target ? graphs.head.reason : graphs.view ? `chosen by hand, as the ${graphs.view}` : 'chosen by hand',
    suggestedLayer: graphs.head.target,
    class: { index, label: label(index), probability: probs[index] },
    top,
    map,
    raw,
    mapWidth: w,
    mapHeight: h,
    image: p.image,
    region,
    full,
    peak: { x: at % p.image.width, y: Math.floor(at / p.image.width) },
    ms: performance.now() - t0,
  };
}

async function augmented(graphs: CamGraphs, input: Float32Array, dims: number[], flip: boolean, factor: number): Promise<MapInput> {
  const x = new Float32Array(input.length);
  const nchw = dims[1] === 3;
  const [H, W] = nchw ? [dims[2], dims[3]] : [dims[1], dims[2]];
  for (let y = 0; y < H; y++)
    for (let xx = 0; xx < W; xx++) {
      const sx = flip ? W - 1 - xx : xx;
      for (let c = 0; c < 3; c++) {
        const to = nchw ? (c * H + y) * W + xx : (y * W + xx) * 3 + c;
        const from = nchw ? (c * H + y) * W + sx : (y * W + sx) * 3 + c;
        x[to] = input[from] * factor;
      }
    }
  const f = await graphs.forward(x, dims);
  return { graphs, input: x, dims, activation: f.activation, extras: f.extras };
}

function flipMap(m: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = m[y * w + w - 1 - x];
  return out;
}
