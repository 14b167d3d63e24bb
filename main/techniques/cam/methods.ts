// The CAM family's arithmetic on one image's activation A [C, h, w] (and its gradient G), following
// the definitions in pytorch-grad-cam (jacobgil) so results can be compared with it:
//  CAM        Zhou et al. 2016      Σ_k W[c,k] A_k (min-max, no ReLU)
//  Grad-CAM   Selvaraju et al. 2017 ReLU(Σ_k mean_ij(G_k) A_k)
//  Grad-CAM++ Chattopadhay et al. 2018, weights from G², G³ (exp-score closed form)
//  HiResCAM   Draelos & Carin 2020  ReLU(Σ_k G_k ⊙ A_k)
//  Score-CAM  Wang et al. 2020      ReLU(Σ_k softmax_k(score(x ⊙ norm(up(A_k)))) A_k)

export type CamMethod = 'cam' | 'gradcam' | 'gradcam++' | 'hirescam' | 'scorecam';
export const CAM_METHODS: readonly CamMethod[] = ['cam', 'gradcam', 'gradcam++', 'hirescam', 'scorecam'];

export interface Map2D {
  data: Float32Array;
  width: number;
  height: number;
}

/** Σ_k w_k A_k over channels. */
export function weightedSum(a: Float32Array, c: number, plane: number, w: ArrayLike<number>, offset = 0): Float32Array {
  const out = new Float32Array(plane);
  for (let k = 0; k < c; k++) {
    const wk = w[offset + k];
    if (wk === 0) continue;
    const base = k * plane;
    for (let i = 0; i < plane; i++) out[i] += wk * a[base + i];
  }
  return out;
}

export function gradCamWeights(g: Float32Array, c: number, plane: number): Float32Array {
  const w = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    let s = 0;
    for (let i = 0; i < plane; i++) s += g[k * plane + i];
    w[k] = s / plane;
  }
  return w;
}

/** Grad-CAM++ weights as pytorch-grad-cam computes them (eps 1e-6; zero where the gradient is zero). */
export function gradCamPlusPlusWeights(a: Float32Array, g: Float32Array, c: number, plane: number): Float32Array {
  const w = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    let sumA = 0;
    for (let i = 0; i < plane; i++) sumA += a[k * plane + i];
    let s = 0;
    for (let i = 0; i < plane; i++) {
      const gi = g[k * plane + i];
      if (gi === 0) continue;
      const g2 = gi * gi;
      const aij = g2 / (2 * g2 + sumA * g2 * gi + 1e-6);
      s += Math.max(gi, 0) * aij;
    }
    w[k] = s;
  }
  return w;
}

export function relu(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  return out;
}

/** Min-max to [0, 1]; a flat or non-finite map becomes all zeros (never NaN). */
export function normalize(x: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(x.length);
  const span = hi - lo;
  if (!(span > 1e-12)) return out;
  for (let i = 0; i < x.length; i++) out[i] = Number.isFinite(x[i]) ? (x[i] - lo) / span : 0;
  return out;
}

/** softmax over channel scores (Score-CAM's weights). */
export function softmaxWeights(scores: Float32Array): Float32Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const out = new Float32Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += out[i] = Math.exp(scores[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Pearson correlation (tests, and CAM vs Grad-CAM checks). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}
