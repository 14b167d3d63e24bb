// Float pixel images (H×W×3 RGB, 0..255) <-> model tensors, with the chain rule for gradients.
// Class visualisation and adversarial attacks step in pixel space: ε, clamping, blur and jitter are
// defined there, whatever the model's scale/mean/std and channel order.
import type { Preprocessing } from '../../api/contract';

export interface FloatImage {
  /** Interleaved RGB in 0..255 (not rounded). */
  px: Float32Array;
  width: number;
  height: number;
}

const order = (pre: Preprocessing) => (pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2]);

export function toTensor(img: FloatImage, pre: Preprocessing, out?: Float32Array, offset = 0): Float32Array {
  const plane = img.width * img.height;
  const dst = out ?? new Float32Array(3 * plane);
  const ord = order(pre);
  for (let c = 0; c < 3; c++) {
    const a = pre.scale / pre.std[c];
    const b = -pre.mean[c] / pre.std[c];
    const src = ord[c];
    for (let i = 0; i < plane; i++) {
      const v = img.px[i * 3 + src] * a + b;
      if (pre.layout === 'NCHW') dst[offset + c * plane + i] = v;
      else dst[offset + i * 3 + c] = v;
    }
  }
  return dst;
}

/** d(loss)/d(pixel) from d(loss)/d(tensor): each tensor channel is pixel·scale/std + const. */
export function gradToPixels(g: Float32Array, width: number, height: number, pre: Preprocessing): Float32Array {
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  const ord = order(pre);
  for (let c = 0; c < 3; c++) {
    const a = pre.scale / pre.std[c];
    const dst = ord[c];
    for (let i = 0; i < plane; i++) out[i * 3 + dst] = (pre.layout === 'NCHW' ? g[c * plane + i] : g[i * 3 + c]) * a;
  }
  return out;
}

export function tensorDims(pre: Preprocessing, n: number, height: number, width: number): number[] {
  return pre.layout === 'NCHW' ? [n, 3, height, width] : [n, height, width, 3];
}

export function toBytes(px: Float32Array): Uint8Array {
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i++) out[i] = px[i] <= 0 ? 0 : px[i] >= 255 ? 255 : Math.round(px[i]);
  return out;
}

export function clampPixels(px: Float32Array): void {
  for (let i = 0; i < px.length; i++) px[i] = px[i] < 0 ? 0 : px[i] > 255 ? 255 : px[i];
}

/** xorshift32: seeded noise so a run can be repeated from its provenance. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Separable Gaussian blur of an interleaved RGB float image, in place. */
export function gaussianBlur(img: FloatImage, sigma: number): void {
  if (sigma <= 0) return;
  const r = Math.max(1, Math.ceil(sigma * 3));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b);
  const kern = k.map((v) => v / sum);
  const { width: w, height: h, px } = img;
  const tmp = new Float32Array(px.length);
  const pass = (src: Float32Array, dst: Float32Array, horizontal: boolean) => {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          let acc = 0;
          for (let t = -r; t <= r; t++) {
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + t)) : x;
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + t));
            acc += src[(yy * w + xx) * 3 + c] * kern[t + r];
          }
          dst[(y * w + x) * 3 + c] = acc;
        }
  };
  pass(px, tmp, true);
  pass(tmp, px, false);
}

/** Circular shift by (dx, dy) pixels (jitter); shifting back by (-dx, -dy) undoes it. */
export function roll(img: FloatImage, dx: number, dy: number): Float32Array {
  const { width: w, height: h, px } = img;
  const out = new Float32Array(px.length);
  for (let y = 0; y < h; y++) {
    const sy = (((y - dy) % h) + h) % h;
    for (let x = 0; x < w; x++) {
      const sx = (((x - dx) % w) + w) % w;
      const s = (sy * w + sx) * 3;
      const d = (y * w + x) * 3;
      out[d] = px[s];
      out[d + 1] = px[s + 1];
      out[d + 2] = px[s + 2];
    }
  }
  return out;
}
