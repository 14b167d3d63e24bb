// Seeded augmentation from the uint8 HWC cache to normalised float32 CHW batches, with torchvision's definitions:
// RandomResizedCrop, RandomHorizontalFlip, RandomRotation and ColorJitter. Crop, flip and rotation are composed into
// one affine map and sampled once (bilinear), so a batch costs one pass over its pixels.
import type { Rng } from '../../optim/rng';
import type { ImageSet } from './cache';

export type Augmentation = 'flip' | 'crop' | 'rotate' | 'color';

export interface AugmentParams {
  augment: ReadonlySet<Augmentation>;
  /** Crop area as a share of the image. torchvision's default is [0.08, 1]; [0.5, 1] suits small datasets better. */
  cropScale?: readonly [number, number];
  /** Crop aspect ratio range (torchvision's default). */
  cropRatio?: readonly [number, number];
  /** Rotation range in degrees, ± (default 10). */
  rotateDegrees?: number;
  /** What lies outside the image after a rotation: the nearest edge pixel (default), or black. */
  fill?: 'edge' | 'zero';
  /** ColorJitter strengths (default 0.2 each): factors are drawn from [max(0, 1 - s), 1 + s]. */
  brightness?: number;
  contrast?: number;
  saturation?: number;
}

export interface BatchOptions extends AugmentParams {
  /** Per channel, in 0..1 units (after the 1/255 scale); one value is used for every channel. */
  mean: readonly number[];
  std: readonly number[];
  rng: Rng;
  /** Reused output buffer (at least B×C×H×W), to spare the allocator in a training loop. */
  out?: Float32Array;
}

export interface Batch {
  /** B×C×H×W, normalised. */
  x: Float32Array;
  labels: BigInt64Array;
}

export const DEFAULT_CROP_SCALE: readonly [number, number] = [0.5, 1];
export const DEFAULT_CROP_RATIO: readonly [number, number] = [3 / 4, 4 / 3];

export function makeBatch(set: ImageSet, indices: ArrayLike<number>, opts: BatchOptions): Batch {
  const { size: S, channels: C } = set;
  const plane = S * S;
  const per = C * plane;
  const B = indices.length;
  const x = opts.out && opts.out.length >= B * per ? opts.out.subarray(0, B * per) : new Float32Array(B * per);
  const labels = new BigInt64Array(B);
  const [scale, shift] = normaliser(opts.mean, opts.std, C);
  const lut = table(scale, shift);
  const rawLut = table(RAW_SCALE, RAW_SHIFT);
  for (let b = 0; b < B; b++) {
    const idx = indices[b];
    if (!(idx >= 0 && idx < set.n)) throw new RangeError(`image index ${idx} is outside 0..${set.n - 1}`);
    labels[b] = BigInt(set.labels[idx]);
    const at = b * per;
    const m = opts.augment.size ? geometry(S, opts, opts.rng) : IDENTITY;
    const jitter = opts.augment.has('color') ? drawJitter(opts, opts.rng) : null;
    const mirror = integerMap(m, S);
    // Without jitter the normalisation is folded into the one pass; jitter needs 0..255 values first.
    if (mirror !== null) copyPixels(set.data, idx * per, S, C, x, at, mirror, jitter ? rawLut : lut);
    else if (!jitter) sampleAffine(set.data, idx * per, S, C, x, at, m, opts.fill === 'zero', scale, shift);
    else sampleAffine(set.data, idx * per, S, C, x, at, m, opts.fill === 'zero', RAW_SCALE, RAW_SHIFT);
    if (!jitter) continue;
    applyJitter(x, at, S, C, jitter);
    for (let c = 0; c < C; c++) {
      const a = scale[c];
      const s = shift[c];
      for (let i = at + c * plane, end = i + plane; i < end; i++) x[i] = x[i] * a + s;
    }
  }
  return { x, labels };
}

/** One image augmented into out[at..] as CHW floats in 0..255 (not normalised): for previews. */
export function augmentImage(set: ImageSet, idx: number, out: Float32Array, at: number, opts: AugmentParams, rng: Rng): void {
  const { size: S, channels: C } = set;
  const per = C * S * S;
  const m = opts.augment.size ? geometry(S, opts, rng) : IDENTITY;
  const jitter = opts.augment.has('color') ? drawJitter(opts, rng) : null;
  const mirror = integerMap(m, S);
  if (mirror !== null) copyPixels(set.data, idx * per, S, C, out, at, mirror, table(RAW_SCALE, RAW_SHIFT));
  else sampleAffine(set.data, idx * per, S, C, out, at, m, opts.fill === 'zero', RAW_SCALE, RAW_SHIFT);
  if (jitter) applyJitter(out, at, S, C, jitter);
}

/** value * 1 + 0: exact, so the un-normalised paths share the normalising loops. */
const RAW_SCALE = [1, 1, 1];
const RAW_SHIFT = [0, 0, 0];

/** v ↦ v * scale[c] + shift[c] for each byte value, channel after channel (3 × 256; a 1-channel set uses the first). */
function table(scale: readonly number[], shift: readonly number[]): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = v * (scale[c] ?? 1) + (shift[c] ?? 0);
  return lut;
}

function normaliser(mean: readonly number[], std: readonly number[], C: number): [number[], number[]] {
  const pick = (v: readonly number[], c: number, what: string) => {
    if (v.length !== 1 && v.length !== C) throw new RangeError(`${what} has ${v.length} values for ${C} channel(s)`);
    return v.length === 1 ? v[0] : v[c];
  };
  const scale: number[] = [];
  const shift: number[] = [];
  for (let c = 0; c < C; c++) {
    const m = pick(mean, c, 'mean');
    const s = pick(std, c, 'std');
    if (!(s > 0)) throw new RangeError(`std must be positive, got ${s}`);
    scale.push(1 / (255 * s)); // (v / 255 - mean) / std = v * scale + shift
    shift.push(-m / s);
  }
  return [scale, shift];
}

// ---------- geometry: output pixel (x, y) -> source point (a x + b y + c, d x + e y + f) ----------

type Affine = [number, number, number, number, number, number];
const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** p ↦ outer(inner(p)). */
function compose(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [g, h, i, j, k, l] = inner;
  return [a * g + b * j, a * h + b * k, a * i + b * l + c, d * g + e * j, d * h + e * k, d * i + e * l + f];
}

/** The map of one image: crop, then flip, then rotate (torchvision's usual order), as source ← output. */
function geometry(S: number, p: AugmentParams, rng: Rng): Affine {
  let m = IDENTITY;
  if (p.augment.has('crop')) {
    const [top, left, h, w] = randomResizedCrop(S, S, p.cropScale ?? DEFAULT_CROP_SCALE, p.cropRatio ?? DEFAULT_CROP_RATIO, rng);
    // Pixel centres of the S×S output spread over the crop box (half-pixel alignment, as a resize does).
    m = [w / S, 0, left + 0.5 * (w / S) - 0.5, 0, h / S, top + 0.5 * (h / S) - 0.5];
  }
  if (p.augment.has('flip') && rng.next() < 0.5) m = compose(m, [-1, 0, S - 1, 0, 1, 0]);
  if (p.augment.has('rotate')) {
    const deg = p.rotateDegrees ?? 10;
    const t = ((rng.next() * 2 - 1) * deg * Math.PI) / 180;
    if (t !== 0) {
      const cos = Math.cos(t);
      const sin = Math.sin(t);
      const o = (S - 1) / 2; // about the image centre
      m = compose(m, [cos, -sin, o - cos * o + sin * o, sin, cos, o - sin * o - cos * o]);
    }
  }
  return m;
}

/** torchvision RandomResizedCrop.get_params: 10 tries at a random area and aspect, then the centre fallback. */
export function randomResizedCrop(
  H: number,
  W: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): [top: number, left: number, h: number, w: number] {
  const area = H * W;
  const logR0 = Math.log(ratio[0]);
  const logR1 = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + rng.next() * (scale[1] - scale[0]));
    const aspect = Math.exp(logR0 + rng.next() * (logR1 - logR0));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= W && h > 0 && h <= H) return [rng.int(0, H - h), rng.int(0, W - w), h, w];
  }
  const inRatio = W / H;
  let w = W;
  let h = H;
  if (inRatio < Math.min(ratio[0], ratio[1])) h = Math.round(w / Math.min(ratio[0], ratio[1]));
  else if (inRatio > Math.max(ratio[0], ratio[1])) w = Math.round(h * Math.max(ratio[0], ratio[1]));
  return [Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w];
}

/** +1 (identity) or -1 (mirror) when the map lands exactly on source pixels, else null (needs resampling). */
function integerMap(m: Affine, S: number): 1 | -1 | null {
  const [a, b, c, d, e, f] = m;
  if (b !== 0 || d !== 0 || e !== 1 || f !== 0) return null;
  if (a === 1 && c === 0) return 1;
  if (a === -1 && c === S - 1) return -1;
  return null;
}

/** HWC uint8 -> CHW float through `lut`, identity or mirrored: exact source pixels, no resampling. */
function copyPixels(
  src: Uint8Array,
  from: number,
  S: number,
  C: number,
  out: Float32Array,
  at: number,
  dir: 1 | -1,
  lut: Float32Array,
): void {
  const plane = S * S;
  if (C === 3) {
    // One pass over the source, three output planes (reads stay sequential).
    for (let y = 0; y < S; y++) {
      let s = from + (dir === 1 ? y * S : y * S + S - 1) * 3;
      const step = dir * 3;
      for (let o = at + y * S, end = o + S; o < end; o++, s += step) {
        out[o] = lut[src[s]];
        out[o + plane] = lut[256 + src[s + 1]];
        out[o + 2 * plane] = lut[512 + src[s + 2]];
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    const o = at + c * plane;
    const l = c * 256;
    const step = dir * C;
    for (let y = 0; y < S; y++) {
      const row = o + y * S;
      let s = from + (dir === 1 ? y * S : y * S + S - 1) * C + c;
      for (let x = 0; x < S; x++, s += step) out[row + x] = lut[l + src[s]];
    }
  }
}

/** Bilinear sampling of the whole output through one affine map; outside the image: edge pixels or zero. */
function sampleAffine(
  src: Uint8Array,
  from: number,
  S: number,
  C: number,
  out: Float32Array,
  at: number,
  m: Affine,
  zero: boolean,
  scale: readonly number[],
  shift: readonly number[],
): void {
  const [a, b, c, d, e, f] = m;
  const [k0, k1 = 1, k2 = 1] = scale;
  const [s0, s1 = 0, s2 = 0] = shift;
  const plane = S * S;
  const S1 = S - 1;
  for (let y = 0; y < S; y++) {
    let sx = b * y + c;
    let sy = e * y + f;
    for (let x = 0; x < S; x++, sx += a, sy += d) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let wx0 = 1 - fx;
      let wx1 = fx;
      let wy0 = 1 - fy;
      let wy1 = fy;
      if (zero) {
        if (x0 < 0 || x0 > S1) wx0 = 0;
        if (x0 + 1 < 0 || x0 + 1 > S1) wx1 = 0;
        if (y0 < 0 || y0 > S1) wy0 = 0;
        if (y0 + 1 < 0 || y0 + 1 > S1) wy1 = 0;
      }
      const xa = x0 < 0 ? 0 : x0 > S1 ? S1 : x0;
      const xb = x0 + 1 < 0 ? 0 : x0 + 1 > S1 ? S1 : x0 + 1;
      const ya = y0 < 0 ? 0 : y0 > S1 ? S1 : y0;
      const yb = y0 + 1 < 0 ? 0 : y0 + 1 > S1 ? S1 : y0 + 1;
      const p00 = from + (ya * S + xa) * C;
      const p01 = from + (ya * S + xb) * C;
      const p10 = from + (yb * S + xa) * C;
      const p11 = from + (yb * S + xb) * C;
      const w00 = wx0 * wy0;
      const w01 = wx1 * wy0;
      const w10 = wx0 * wy1;
      const w11 = wx1 * wy1;
      const o = at + y * S + x;
      out[o] = (w00 * src[p00] + w01 * src[p01] + w10 * src[p10] + w11 * src[p11]) * k0 + s0;
      if (C === 3) {
        out[o + plane] = (w00 * src[p00 + 1] + w01 * src[p01 + 1] + w10 * src[p10 + 1] + w11 * src[p11 + 1]) * k1 + s1;
        out[o + 2 * plane] = (w00 * src[p00 + 2] + w01 * src[p01 + 2] + w10 * src[p10 + 2] + w11 * src[p11 + 2]) * k2 + s2;
      }
    }
  }
}

// ---------- ColorJitter (brightness, contrast, saturation), on 0..255 floats ----------

interface Jitter {
  order: number[];
  factors: number[];
}

function drawJitter(p: AugmentParams, rng: Rng): Jitter | null {
  const strengths = [p.brightness ?? 0.2, p.contrast ?? 0.2, p.saturation ?? 0.2];
  // torchvision applies the enabled adjustments in a random order, each with its own factor.
  const order = [0, 1, 2];
  for (let i = 2; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const factors = strengths.map((s) => (s > 0 ? Math.max(0, 1 - s) + rng.next() * (1 + s - Math.max(0, 1 - s)) : 1));
  const active = order.filter((k) => strengths[k] > 0);
  return active.length ? { order: active, factors } : null;
}

function applyJitter(x: Float32Array, at: number, S: number, C: number, j: Jitter): void {
  const plane = S * S;
  const end = at + C * plane;
  const g1 = at + plane;
  const g2 = at + 2 * plane;
  for (const k of j.order) {
    const f = j.factors[k];
    if (k === 0) {
      // brightness: blend with black
      for (let i = at; i < end; i++) x[i] = clamp255(x[i] * f);
    } else if (k === 1) {
      // contrast: blend with the mean grey level of the whole image
      let sum = 0;
      if (C === 1) for (let i = at; i < end; i++) sum += x[i];
      else for (let i = 0; i < plane; i++) sum += GREY_R * x[at + i] + GREY_G * x[g1 + i] + GREY_B * x[g2 + i];
      const m = (1 - f) * (sum / plane);
      for (let i = at; i < end; i++) x[i] = clamp255(x[i] * f + m);
    } else if (C === 3) {
      // saturation: blend each pixel with its grey value (a no-op on one channel, as in torchvision)
      for (let i = 0; i < plane; i++) {
        const r = x[at + i];
        const g = x[g1 + i];
        const b = x[g2 + i];
        const grey = (1 - f) * (GREY_R * r + GREY_G * g + GREY_B * b);
        x[at + i] = clamp255(r * f + grey);
        x[g1 + i] = clamp255(g * f + grey);
        x[g2 + i] = clamp255(b * f + grey);
      }
    }
  }
}

/** torchvision rgb_to_grayscale weights. */
const GREY_R = 0.2989;
const GREY_G = 0.587;
const GREY_B = 0.114;

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
