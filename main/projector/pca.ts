// Principal component analysis of n rows of d numbers (the embeddings): the top-k directions of the centred
// data's covariance, exact to rounding. Small d: the d×d covariance and Jacobi. Large d: subspace iteration
// (Halko et al. 2011's randomized range finder run to convergence) with a Rayleigh–Ritz step each round, stopped
// when every wanted Ritz pair's residual ‖Cv − λv‖ is below `tol`·λ₁, so the answer does not depend on the seed.
// Sign convention (scikit-learn's svd_flip on U): each axis points so that the point farthest along it has a
// positive coordinate.
import { seededRng } from '../optim/rng';
import { orthonormalizeRows, symmetricEigen } from './eigen';
import { Ticker, type Work } from './ticker';

export interface PcaOptions extends Work {
  seed?: number;
  /** Relative residual at which subspace iteration stops (1e-10: exact for display and tests). */
  tol?: number;
  maxIter?: number;
  /** Extra directions iterated beside the k wanted ones (faster convergence). */
  oversample?: number;
}

export interface PcaResult {
  n: number;
  k: number;
  /** n×k coordinates, row-major. */
  coords: Float64Array;
  /** k×d unit principal axes, row-major. */
  components: Float64Array;
  /** Variance along each axis (eigenvalue of the covariance with n − 1 in the denominator). */
  variance: Float64Array;
  /** Share of the total variance along each axis. */
  varianceRatio: Float64Array;
  mean: Float64Array;
  iterations: number;
}

/** Up to this many dimensions the d×d covariance is formed and decomposed directly. */
const DIRECT_MAX_D = 160;

export async function pca(x: ArrayLike<number>, n: number, d: number, k: number, opts: PcaOptions = {}): Promise<PcaResult> {
  if (n < 2) throw new Error(`PCA needs at least 2 points, got ${n}`);
  k = Math.min(k, d, n);
  const ticker = new Ticker(opts);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0, o = i * d; t < d; t++) mean[t] += x[o + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let t = 0, o = i * d; t < d; t++) {
      const c = x[o + t] - mean[t];
      total += c * c;
    }

  let components: Float64Array;
  let eig: Float64Array;
  let iterations = 0;
  if (d <= DIRECT_MAX_D) ({ components, eig } = await direct(x, n, d, k, mean, ticker));
  else ({ components, eig, iterations } = await subspace(x, n, d, k, mean, opts, ticker));

  const coords = new Float64Array(n * k);
  project(x, n, d, mean, components, k, coords);
  // Deterministic signs: the largest |coordinate| of each axis is positive.
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let i = 0; i < n; i++) if (Math.abs(coords[i * k + j]) > Math.abs(best)) best = coords[i * k + j];
    if (best < 0) {
      for (let i = 0; i < n; i++) coords[i * k + j] = -coords[i * k + j];
      for (let t = 0; t < d; t++) components[j * d + t] = -components[j * d + t];
    }
  }
  const variance = eig.map((l) => Math.max(0, l) / (n - 1));
  const varianceRatio = eig.map((l) => (total > 0 ? Math.max(0, l) / total : 0));
  return { n, k, coords, components, variance, varianceRatio, mean, iterations };
}

/** coords (n×k) = (X − mean) · componentsᵀ. */
export function project(
  x: ArrayLike<number>,
  n: number,
  d: number,
  mean: Float64Array,
  comps: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const shift = new Float64Array(k);
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) shift[j] += mean[t] * comps[j * d + t];
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < k; j++) {
      const c = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += x[o + t] * comps[c + t];
      out[i * k + j] = s - shift[j];
    }
  }
}

async function direct(x: ArrayLike<number>, n: number, d: number, k: number, mean: Float64Array, ticker: Ticker) {
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = x[i * d + t] - mean[t];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      const o = a * d;
      for (let b = a; b < d; b++) cov[o + b] += ra * row[b];
    }
    if ((i & 255) === 0) await ticker.tick(0.8 * (i / n), 'PCA: covariance');
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
  const { values, vectors } = symmetricEigen(cov, d);
  const components = new Float64Array(k * d);
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) components[j * d + t] = vectors[t * d + j];
  return { components, eig: values.slice(0, k) };
}

async function subspace(x: ArrayLike<number>, n: number, d: number, k: number, mean: Float64Array, opts: PcaOptions, ticker: Ticker) {
  const l = Math.min(k + (opts.oversample ?? 10), d, n);
  const tol = opts.tol ?? 1e-10;
  const maxIter = opts.maxIter ?? 300;
  const rng = seededRng(opts.seed ?? 0);
  let q = new Float64Array(l * d);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  orthonormalizeRows(q, l, d);
  const y = new Float64Array(n * l);
  const z = new Float64Array(l * d);
  const colSum = new Float64Array(l);
  const t = new Float64Array(l * l);
  let components = new Float64Array(k * d);
  let eig = new Float64Array(k);
  for (let it = 1; it <= maxIter; it++) {
    // Y = (X − 1μᵀ) Qᵀ, then Z = (X − 1μᵀ)ᵀ Y = C·Qᵀ (times n − 1), without forming the centred copy.
    project(x, n, d, mean, q, l, y);
    z.fill(0);
    colSum.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let j = 0; j < l; j++) {
        const c = y[i * l + j];
        colSum[j] += c;
        const zo = j * d;
        for (let s = 0; s < d; s++) z[zo + s] += c * x[o + s];
      }
      if ((i & 127) === 0) await ticker.tick(Math.min(0.95, it / 30), `PCA: iteration ${it}`);
    }
    for (let j = 0; j < l; j++) for (let s = 0; s < d; s++) z[j * d + s] -= colSum[j] * mean[s];
    // Rayleigh–Ritz: T = Q C Qᵀ, its eigenpairs give the best approximations within span(Q).
    for (let a = 0; a < l; a++)
      for (let b = a; b < l; b++) {
        let s = 0;
        for (let u = 0; u < d; u++) s += q[a * d + u] * z[b * d + u];
        t[a * l + b] = s;
        t[b * l + a] = s;
      }
    const { values, vectors } = symmetricEigen(t, l);
    // Ritz vectors v_j = Σ_m W[m][j] q_m, and residuals r_j = Σ_m W[m][j] z_m − λ_j v_j.
    let worst = 0;
    const scale = Math.max(Math.abs(values[0]), 1e-300);
    const v = new Float64Array(k * d);
    for (let j = 0; j < k; j++) {
      let r2 = 0;
      for (let u = 0; u < d; u++) {
        let vu = 0;
        let cu = 0;
        for (let m = 0; m < l; m++) {
          const w = vectors[m * l + j];
          vu += w * q[m * d + u];
          cu += w * z[m * d + u];
        }
        v[j * d + u] = vu;
        const r = cu - values[j] * vu;
        r2 += r * r;
      }
      worst = Math.max(worst, Math.sqrt(r2) / scale);
    }
    components = v;
    eig = values.slice(0, k);
    if (worst < tol || it === maxIter) return { components, eig, iterations: it };
    q = Float64Array.from(z);
    orthonormalizeRows(q, l, d);
  }
  return { components, eig, iterations: maxIter };
}
