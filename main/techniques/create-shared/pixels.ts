// Images ↔ the model-space tensors the create tools optimise (always NCHW, batch 1), plus the pixel-range
// bookkeeping they share: valid range per channel, pixel-unit scale, noise init, resampling, luminance.
import sharp from 'sharp';
import type { Preprocessing } from '../../api/contract';
import { decodeImage } from '../../image/decode';
import { pixelsToTensor, tensorToPixels, type ResizedPixels } from '../../image/preprocess';
import { resizeBilinear } from '../shared/resample';

export interface Img {
  /** Model-space NCHW data of a [1, 3, height, width] tensor. */
  data: Float32Array;
  width: number;
  height: number;
}

export const dims = (img: { width: number; height: number }): number[] => [1, 3, img.height, img.width];

const NCHW = (pre: Preprocessing): Preprocessing => ({ ...pre, layout: 'NCHW' });

/** Width × height with the longer side `size`, each side a multiple of `multiple` (at least one multiple). */
export function fitSize(w: number, h: number, size: number, multiple = 8): { width: number; height: number } {
  const s = size / Math.max(w, h);
  const r = (v: number) => Math.max(multiple, Math.round((v * s) / multiple) * multiple);
  return { width: r(w), height: r(h) };
}

/**
 * Decodes an image and resizes it (whole picture, bilinear) to exactly width × height; with fit 'cover' the
 * picture is scaled to cover width × height and its centre cropped (a model that takes one size only).
 */
export async function loadRgb(
  name: string,
  bytes: Uint8Array,
  size: number | { width: number; height: number },
  multiple = 8,
  fit: 'fill' | 'cover' = 'fill',
): Promise<ResizedPixels> {
  const d = await decodeImage(name, bytes);
  const { width, height } = typeof size === 'number' ? fitSize(d.width, d.height, size, multiple) : size;
  const { data } = await d.image.clone().resize(width, height, { fit, kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

export const rgbToImg = (px: ResizedPixels, pre: Preprocessing): Img => ({
  data: pixelsToTensor(px, NCHW(pre)),
  width: px.width,
  height: px.height,
});

export const imgToRgb = (img: Img, pre: Preprocessing): Uint8Array => tensorToPixels(img.data, NCHW(pre), img.width, img.height);

/** Model units per pixel unit (0..255) for model channel c. */
export const unitPerPixel = (pre: Preprocessing, c: number): number => pre.scale / pre.std[c];

/** [lo, hi] of model channel c for pixels 0..255. */
export function channelRange(pre: Preprocessing, c: number): [number, number] {
  const a = (0 * pre.scale - pre.mean[c]) / pre.std[c];
  const b = (255 * pre.scale - pre.mean[c]) / pre.std[c];
  return a < b ? [a, b] : [b, a];
}

export function clampImg(img: Img, pre: Preprocessing): void {
  const plane = img.width * img.height;
  for (let c = 0; c < 3; c++) {
    const [lo, hi] = channelRange(pre, c);
    const d = img.data.subarray(c * plane, (c + 1) * plane);
    for (let i = 0; i < plane; i++) d[i] = d[i] < lo ? lo : d[i] > hi ? hi : d[i];
  }
}

/** Mid-grey plus Gaussian noise of `sigma` pixel units (Gatys: white noise init). */
export function noiseImg(width: number, height: number, pre: Preprocessing, gauss: () => number, sigma = 32): Img {
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const k = unitPerPixel(pre, c);
    const mid = (127.5 * pre.scale - pre.mean[c]) / pre.std[c];
    for (let i = 0; i < plane; i++) data[c * plane + i] = mid + gauss() * sigma * k;
  }
  return { data, width, height };
}

/** Bilinear resample of every channel (half-pixel centres). */
export function resizeImg(img: Img, width: number, height: number): Img {
  if (width === img.width && height === img.height) return { ...img, data: img.data.slice() };
  const plane = img.width * img.height;
  const out = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++)
    resizeBilinear(img.data.subarray(c * plane, (c + 1) * plane), img.width, img.height, width, height, false, out, c * width * height);
  return { data: out, width, height };
}

/** RGB bytes → PNG (sharp), optionally resized for previews. */
export async function rgbPng(rgb: Uint8Array, width: number, height: number, maxSide?: number): Promise<Buffer> {
  let p = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  if (maxSide && Math.max(width, height) > maxSide)
    p = p.resize({ width: width >= height ? maxSide : undefined, height: height > width ? maxSide : undefined });
  return p.png({ compressionLevel: 6 }).toBuffer();
}

// ---- colour preservation (Gatys et al. 2016, "Preserving color in neural artistic style transfer") ----

/** RGB bytes → Y (luminance) replicated to grey RGB, and the I/Q planes to put back later (YIQ). */
export function splitLuminance(rgb: Uint8Array): { grey: Uint8Array; i: Float32Array; q: Float32Array; y: Float32Array } {
  const n = rgb.length / 3;
  const grey = new Uint8Array(rgb.length);
  const y = new Float32Array(n);
  const i = new Float32Array(n);
  const q = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const r = rgb[3 * k];
    const g = rgb[3 * k + 1];
    const b = rgb[3 * k + 2];
    y[k] = 0.299 * r + 0.587 * g + 0.114 * b;
    i[k] = 0.596 * r - 0.274 * g - 0.322 * b;
    q[k] = 0.211 * r - 0.523 * g + 0.312 * b;
    const v = Math.round(y[k]);
    grey[3 * k] = grey[3 * k + 1] = grey[3 * k + 2] = v;
  }
  return { grey, i, q, y };
}

/** Luminance of `styled` with the I/Q (colour) of the content. */
export function mergeLuminance(styled: Uint8Array, i: Float32Array, q: Float32Array): Uint8Array {
  const out = new Uint8Array(styled.length);
  const clip = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let k = 0; k < i.length; k++) {
    const Y = 0.299 * styled[3 * k] + 0.587 * styled[3 * k + 1] + 0.114 * styled[3 * k + 2];
    out[3 * k] = clip(Y + 0.956 * i[k] + 0.621 * q[k]);
    out[3 * k + 1] = clip(Y - 0.272 * i[k] - 0.647 * q[k]);
    out[3 * k + 2] = clip(Y - 1.106 * i[k] + 1.703 * q[k]);
  }
  return out;
}

/** Luminance-only transfer also matches the style's luminance mean/std to the content's (Gatys et al. 2016b, eq. 1). */
export function matchLuminance(styleGrey: Uint8Array, contentY: Float32Array): Uint8Array {
  const n = styleGrey.length / 3;
  let ms = 0;
  let mc = 0;
  for (let k = 0; k < n; k++) ms += styleGrey[3 * k];
  for (let k = 0; k < contentY.length; k++) mc += contentY[k];
  ms /= n;
  mc /= contentY.length;
  let vs = 0;
  let vc = 0;
  for (let k = 0; k < n; k++) vs += (styleGrey[3 * k] - ms) ** 2;
  for (let k = 0; k < contentY.length; k++) vc += (contentY[k] - mc) ** 2;
  const k2 = Math.sqrt(vc / contentY.length) / Math.max(1e-6, Math.sqrt(vs / n));
  const out = new Uint8Array(styleGrey.length);
  for (let k = 0; k < n; k++) {
    const v = Math.round((styleGrey[3 * k] - ms) * k2 + mc);
    out[3 * k] = out[3 * k + 1] = out[3 * k + 2] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
