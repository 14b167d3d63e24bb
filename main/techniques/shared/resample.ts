// Bilinear resampling of single-channel float maps, and where the model's input sits in the photo.
import type { Preprocessing } from '../../api/contract';
import { cropGeometry } from '../../image/preprocess';

/**
 * Bilinear resize of a [h, w] map. alignCorners=false is cv2.resize / PIL (half-pixel centres, what
 * heat maps are upsampled with); true is torch UpsamplingBilinear2d (Score-CAM's masks).
 */
export function resizeBilinear(
  src: Float32Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
  alignCorners = false,
  dst?: Float32Array,
  dstOffset = 0,
): Float32Array {
  const out = dst ?? new Float32Array(outW * outH);
  const xs = axis(w, outW, alignCorners);
  const ys = axis(h, outH, alignCorners);
  for (let y = 0; y < outH; y++) {
    const y0 = ys.i0[y];
    const y1 = ys.i1[y];
    const fy = ys.f[y];
    const r0 = y0 * w;
    const r1 = y1 * w;
    const o = dstOffset + y * outW;
    for (let x = 0; x < outW; x++) {
      const x0 = xs.i0[x];
      const x1 = xs.i1[x];
      const fx = xs.f[x];
      const top = src[r0 + x0] + (src[r0 + x1] - src[r0 + x0]) * fx;
      const bot = src[r1 + x0] + (src[r1 + x1] - src[r1 + x0]) * fx;
      out[o + x] = top + (bot - top) * fy;
    }
  }
  return out;
}

function axis(n: number, outN: number, alignCorners: boolean): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outN);
  const i1 = new Int32Array(outN);
  const f = new Float32Array(outN);
  for (let i = 0; i < outN; i++) {
    let s = alignCorners ? (outN > 1 ? (i * (n - 1)) / (outN - 1) : 0) : ((i + 0.5) * n) / outN - 0.5;
    if (s < 0) s = 0;
    if (s > n - 1) s = n - 1;
    const a = Math.floor(s);
    i0[i] = a;
    i1[i] = Math.min(a + 1, n - 1);
    f[i] = s - a;
  }
  return { i0, i1, f };
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The rectangle of the original photo the model's input shows (the whole photo for 'fill'). */
export function inputRegion(pre: Preprocessing, size: [number, number], srcW: number, srcH: number): Region {
  const [outH, outW] = size;
  const crop = cropGeometry(pre, size, srcW, srcH);
  if (!crop) return { x: 0, y: 0, width: srcW, height: srcH };
  const sx = srcW / crop.midW;
  const sy = srcH / crop.midH;
  return { x: crop.left * sx, y: crop.top * sy, width: outW * sx, height: outH * sy };
}

/**
 * A [h, w] map in model-input space spread over the photo: upsampled to the input region, zero
 * (NaN = "not covered") outside it. Returns a [srcH, srcW] map.
 */
export function mapToImage(map: Float32Array, w: number, h: number, region: Region, srcW: number, srcH: number): Float32Array {
  const rx = Math.round(region.x);
  const ry = Math.round(region.y);
  const rw = Math.max(1, Math.min(srcW - rx, Math.round(region.width)));
  const rh = Math.max(1, Math.min(srcH - ry, Math.round(region.height)));
  const inner = resizeBilinear(map, w, h, rw, rh);
  if (rx === 0 && ry === 0 && rw === srcW && rh === srcH) return inner;
  const out = new Float32Array(srcW * srcH).fill(Number.NaN);
  for (let y = 0; y < rh; y++) out.set(inner.subarray(y * rw, (y + 1) * rw), (ry + y) * srcW + rx);
  return out;
}
