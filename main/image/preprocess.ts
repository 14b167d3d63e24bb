// Image -> model input tensor, exactly as the model's metadata says: resize mode, channel order, scale, mean/std, layout.
import type sharp from 'sharp';
import type { Preprocessing } from '../api/contract';
import { pilResizeBilinear } from './pil-resample';
import { rawRgb } from './raw-pixels';

export interface ResizedPixels {
  /** Interleaved RGB, row-major, height x width x 3. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Where the model's input comes from: the intermediate resize and the centre crop taken from it. */
export interface CropGeometry {
  midW: number;
  midH: number;
  left: number;
  top: number;
}

/** The resize-then-crop geometry of a crop recipe; null for 'fill' (the whole image, squashed). */
export function cropGeometry(pre: Preprocessing, size: [number, number], srcW: number, srcH: number): CropGeometry | null {
  if (pre.resize === 'fill') return null;
  const [outH, outW] = size;
  const resizeTo = pre.resizeTo ?? Math.round(Math.max(outW, outH) / 0.875);
  let midW: number;
  let midH: number;
  if (pre.resize === 'fill-then-crop') {
    midW = resizeTo;
    midH = resizeTo;
  } else {
    // Shorter side to resizeTo, keep the aspect ratio. torchvision Resize(int): long = int(size * long / short), in
    // that order of operations (the product first), so the truncation lands on the same integer.
    const short = Math.min(srcW, srcH);
    midW = srcW <= srcH ? resizeTo : Math.floor((resizeTo * srcW) / short);
    midH = srcH < srcW ? resizeTo : Math.floor((resizeTo * srcH) / short);
  }
  midW = Math.max(midW, outW);
  midH = Math.max(midH, outH);
  // torchvision CenterCrop: top = int(round((H - h) / 2.0)), Python's round: half to even (58.5 -> 58, 59.5 -> 60).
  return { midW, midH, left: roundHalfEven((midW - outW) / 2), top: roundHalfEven((midH - outH) / 2) };
}

/** Python 3's round(): ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** Bumped whenever resizeForModel's pixels change: caches of preprocessed images and embeddings key on it. 2: PIL's resample. */
export const PREPROCESS_VERSION = 2;

/**
 * Resizes (and crops) to the model's input size as torchvision does to a PIL image: PIL's antialiased bilinear
 * (pil-resample.ts, bit-exact), then the centre crop. Only the cropped pixels are computed.
 */
export async function resizeForModel(
  image: sharp.Sharp,
  srcW: number,
  srcH: number,
  pre: Preprocessing,
  size: [number, number],
): Promise<ResizedPixels> {
  const [outH, outW] = size;
  const src = await rawRgb(image, srcW, srcH);
  const crop = cropGeometry(pre, size, srcW, srcH);
  const rgb = crop
    ? pilResizeBilinear(src, srcW, srcH, crop.midW, crop.midH, { left: crop.left, top: crop.top, width: outW, height: outH })
    : pilResizeBilinear(src, srcW, srcH, outW, outH);
  return { rgb, width: outW, height: outH };
}

/** Writes x[c] = (pixel[c] * scale - mean[c]) / std[c] into `out` at `offset` (for batching), in NCHW or NHWC. */
export function pixelsToTensor(px: ResizedPixels, pre: Preprocessing, out?: Float32Array, offset = 0): Float32Array {
  const { width: w, height: h, rgb } = px;
  const plane = w * h;
  const dst = out ?? new Float32Array(3 * plane);
  // Channel c of the model reads source channel order[c].
  const order = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    const a = pre.scale / pre.std[c];
    const b = -pre.mean[c] / pre.std[c];
    if (pre.layout === 'NCHW') {
      const base = offset + c * plane;
      for (let i = 0; i < plane; i++) dst[base + i] = rgb[i * 3 + src] * a + b;
    } else {
      for (let i = 0; i < plane; i++) dst[offset + i * 3 + c] = rgb[i * 3 + src] * a + b;
    }
  }
  return dst;
}

/** The inverse, for showing a model-space tensor (gradients, optimised images) as pixels. */
export function tensorToPixels(t: Float32Array, pre: Preprocessing, width: number, height: number): Uint8Array {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  const order = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const dstC = order[c];
    for (let i = 0; i < plane; i++) {
      const x = pre.layout === 'NCHW' ? t[c * plane + i] : t[i * 3 + c];
      const v = (x * pre.std[c] + pre.mean[c]) / pre.scale;
      rgb[i * 3 + dstC] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return rgb;
}
