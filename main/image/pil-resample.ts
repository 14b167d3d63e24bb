// PIL's Image.resize(BILINEAR) on RGB uint8, bit for bit: what torchvision's Resize does to a PIL image, so what
// every torchvision-trained model saw in training. Ported from Pillow's src/libImaging/Resample.c
// (precompute_coeffs, normalize_coeffs_8bpc, ImagingResample{Horizontal,Vertical}_8bpc, ImagingResampleInner):
// a triangle filter whose support grows with the downscale factor (antialiasing), coefficients normalised to sum
// 1, turned into 22-bit fixed point, a horizontal pass into a uint8 image, then a vertical pass, each rounding
// and clipping to 0..255. Only the output pixels inside `region` are computed: each output pixel depends on its
// own coefficients alone, so a centre crop of the full resize is the same numbers for a fraction of the work.

/** 32 - 8 - 2, as Resample.c: 8 bits for the result, two for overflow. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** One axis: for each output index, the first input index, the tap count and `stride` fixed-point weights. */
export interface AxisCoeffs {
  /** First input index of each output sample. */
  first: Int32Array;
  /** Number of taps of each output sample. */
  count: Int32Array;
  /** Fixed-point weights, `stride` per output sample. */
  weights: Int32Array;
  stride: number;
}

/** The filter: PIL's bilinear (triangle, support 1). */
export function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/**
 * precompute_coeffs for output samples [from, from + n) of a resize of `inSize` to `outSize`, then
 * normalize_coeffs_8bpc. `support` is the filter's (1 for bilinear); widened by the scale when shrinking.
 */
export function axisCoeffs(inSize: number, outSize: number, from = 0, n = outSize, filter = triangle, support = 1): AxisCoeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const sup = support * filterscale;
  const stride = Math.ceil(sup) * 2 + 1;
  const first = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Int32Array(n * stride);
  const w = new Float64Array(stride);
  const ss = 1 / filterscale;
  for (let i = 0; i < n; i++) {
    const center = (from + i + 0.5) * scale;
    // C's (int) truncates toward zero; negatives are clamped to 0 right after, as in Resample.c.
    const xmin = Math.max(0, Math.trunc(center - sup + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + sup + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      weights[i * stride + x] = Math.trunc(k < 0 ? -0.5 + k * ONE : 0.5 + k * ONE);
    }
    first[i] = xmin;
    count[i] = xmax;
  }
  return { first, count, weights, stride };
}

/** clip8: the sum carries 22 fractional bits (and the rounding half added up front). */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Two passes over interleaved RGB with precomputed coefficients: `xs` for the output columns, `ys` for the output
 * rows (both already restricted to the region wanted). Returns width x height x 3, width = xs.first.length.
 */
export function resampleRgb(pixels: Uint8Array, srcW: number, xs: AxisCoeffs, ys: AxisCoeffs): Uint8Array {
  // A plain Uint8Array view: a Node Buffer (what sharp hands back) makes the loads below ~1.6x slower in V8.
  const src = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const outW = xs.first.length;
  const outH = ys.first.length;
  // Only the source rows the vertical pass reads go through the horizontal one (ybox_first..ybox_last).
  const yFirst = ys.first[0];
  const yLast = ys.first[outH - 1] + ys.count[outH - 1];
  const mid = new Uint8Array(outW * (yLast - yFirst) * 3);
  {
    const { first, count, weights, stride } = xs;
    for (let y = yFirst; y < yLast; y++) {
      const row = y * srcW * 3;
      let o = (y - yFirst) * outW * 3;
      for (let x = 0; x < outW; x++) {
        const k0 = x * stride;
        const n = count[x];
        let s = row + first[x] * 3;
        let r = HALF;
        let g = HALF;
        let b = HALF;
        // Int32 throughout, as in C: 255 * 2^22 * (sum of weights ~ 1) stays below 2^31.
        for (let t = 0; t < n; t++, s += 3) {
          const k = weights[k0 + t];
          r = (r + Math.imul(src[s], k)) | 0;
          g = (g + Math.imul(src[s + 1], k)) | 0;
          b = (b + Math.imul(src[s + 2], k)) | 0;
        }
        mid[o++] = clip8(r);
        mid[o++] = clip8(g);
        mid[o++] = clip8(b);
      }
    }
  }
  const out = new Uint8Array(outW * outH * 3);
  const rowLen = outW * 3;
  const { first, count, weights, stride } = ys;
  for (let y = 0; y < outH; y++) {
    const k0 = y * stride;
    const n = count[y];
    const base = (first[y] - yFirst) * rowLen;
    let o = y * rowLen;
    for (let c = 0; c < rowLen; c++) {
      let s = base + c;
      let acc = HALF;
      for (let t = 0; t < n; t++, s += rowLen) acc = (acc + Math.imul(mid[s], weights[k0 + t])) | 0;
      out[o++] = clip8(acc);
    }
  }
  return out;
}

/**
 * PIL's resize of an RGB image to outW x outH, keeping only `region` of the result (default: all of it).
 * Same numbers as `Image.resize((outW, outH), Image.BILINEAR).crop(region)`.
 */
export function pilResizeBilinear(src: Uint8Array, srcW: number, srcH: number, outW: number, outH: number, region?: Region): Uint8Array {
  const r = region ?? { left: 0, top: 0, width: outW, height: outH };
  if (r.left < 0 || r.top < 0 || r.width < 1 || r.height < 1 || r.left + r.width > outW || r.top + r.height > outH)
    throw new RangeError(`region ${JSON.stringify(r)} is not inside ${outW}x${outH}`);
  // ImagingResampleInner skips the pass of an axis whose size does not change: identity weights give the same
  // numbers ((v << 22) + half, shifted back, is v) for one tap instead of two.
  const xs = outW !== srcW ? axisCoeffs(srcW, outW, r.left, r.width) : identity(r.left, r.width);
  const ys = outH !== srcH ? axisCoeffs(srcH, outH, r.top, r.height) : identity(r.top, r.height);
  return resampleRgb(src, srcW, xs, ys);
}

/** Output i reads input from + i with weight 1: an axis that is not resized. */
function identity(from: number, n: number): AxisCoeffs {
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) first[i] = from + i;
  return { first, count: new Int32Array(n).fill(1), weights: new Int32Array(n).fill(ONE), stride: 1 };
}
