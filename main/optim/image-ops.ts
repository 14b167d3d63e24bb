// Image-tensor helpers for iterative techniques (NCHW float32): pixel clamping to the model's valid
// range, jitter by rolling, bilinear resize between octaves, gradient normalisation.
import type { Rng } from './rng.js';

export interface ValidRange {
  lo: number[];
  hi: number[];
}

/** Per-channel range of preprocessed pixels: (0·scale − mean)/std … (255·scale − mean)/std. */
export function validRange(scale: number, mean: number[], std: number[]): ValidRange {
  return { lo: mean.map((m, c) => (0 * scale - m) / std[c]), hi: mean.map((m, c) => (255 * scale - m) / std[c]) };
}

export function clampPixels(x: Float32Array, dims: number[], range: ValidRange): void {
  const [N, C, H, W] = dims;
  const plane = H * W;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const lo = range.lo[c % range.lo.length];
      const hi = range.hi[c % range.hi.length];
      const off = (n * C + c) * plane;
      for (let i = 0; i < plane; i++) {
        const v = x[off + i];
        x[off + i] = v < lo ? lo : v > hi ? hi : v;
      }
    }
}

/** Circular shift of every plane by (dy, dx): out[h, w] = x[h − dy, w − dx]. roll(−dy, −dx) undoes it. */
export function roll(x: Float32Array, dims: number[], dy: number, dx: number): Float32Array {
  const [N, C, H, W] = dims;
  const out = new Float32Array(x.length);
  const sy = ((dy % H) + H) % H;
  const sx = ((dx % W) + W) % W;
  for (let p = 0; p < N * C; p++) {
    const off = p * H * W;
    for (let h = 0; h < H; h++) {
      const src = off + h * W;
      const dst = off + ((h + sy) % H) * W;
      // A row rolled by sx is two block copies.
      out.set(x.subarray(src, src + W - sx), dst + sx);
      out.set(x.subarray(src + W - sx, src + W), dst);
    }
  }
  return out;
}

/** A random jitter offset in [−max, max]² from the seeded RNG. */
export function jitter(rng: Rng, max: number): [number, number] {
  return [rng.int(-max, max), rng.int(-max, max)];
}

/** Bilinear resize of every plane (half-pixel centres, like PyTorch align_corners=False). */
export function resizeBilinear(x: Float32Array, dims: number[], outH: number, outW: number): { data: Float32Array; dims: number[] } {
  const [N, C, H, W] = dims;
  const out = new Float32Array(N * C * outH * outW);
  const sy = H / outH;
  const sx = W / outW;
  for (let p = 0; p < N * C; p++) {
    const src = p * H * W;
    const dst = p * outH * outW;
    for (let i = 0; i < outH; i++) {
      const fy = Math.min(Math.max((i + 0.5) * sy - 0.5, 0), H - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, H - 1);
      const wy = fy - y0;
      for (let j = 0; j < outW; j++) {
        const fx = Math.min(Math.max((j + 0.5) * sx - 0.5, 0), W - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, W - 1);
        const wx = fx - x0;
        const top = x[src + y0 * W + x0] * (1 - wx) + x[src + y0 * W + x1] * wx;
        const bot = x[src + y1 * W + x0] * (1 - wx) + x[src + y1 * W + x1] * wx;
        out[dst + i * outW + j] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return { data: out, dims: [N, C, outH, outW] };
}

/** Scales g in place so its mean |g| (DeepDream's normalisation) or its L2 norm is 1. */
export function normalizeGradient(g: Float32Array, mode: 'meanabs' | 'l2' = 'meanabs', eps = 1e-8): Float32Array {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += mode === 'l2' ? g[i] * g[i] : Math.abs(g[i]);
  const norm = mode === 'l2' ? Math.sqrt(s) : s / g.length;
  const k = 1 / (norm + eps);
  for (let i = 0; i < g.length; i++) g[i] *= k;
  return g;
}

/** Octave sizes from small to the full size: size / scale^k, k = octaves−1 … 0. */
export function octaveSizes(h: number, w: number, octaves: number, scale: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = octaves - 1; k >= 0; k--) out.push([Math.max(1, Math.round(h / scale ** k)), Math.max(1, Math.round(w / scale ** k))]);
  return out;
}
