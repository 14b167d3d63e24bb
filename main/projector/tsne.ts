// Barnes–Hut t-SNE (van der Maaten, JMLR 2014), with scikit-learn's schedule: input affinities from the 3·perplexity
// nearest neighbours with a per-point bandwidth matched to the perplexity by bisection, symmetrised; 250
// iterations of early exaggeration (12) at momentum 0.5, then momentum 0.8; delta-bar-delta gains (min 0.01);
// learning rate "auto" = max(n / 12 / 4, 50); PCA initialisation scaled to a standard deviation of 1e-4.
// θ = 0 makes the repulsion exact (tests compare the two).
import { nearestNeighbors } from './knn';
import { SpaceTree } from './space-tree';
import { Ticker, subWork, type Work } from './ticker';

export interface TsneOptions extends Work {
  dims: 2 | 3;
  perplexity?: number;
  iterations?: number;
  theta?: number;
  learningRate?: number;
  earlyExaggeration?: number;
  /** Starting positions (n×dims); scaled to std 1e-4 along the first axis. */
  init: Float64Array;
}

/** Sparse symmetric joint probabilities P (CSR), summing to 1. */
export interface Affinities {
  rowStart: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export async function tsne(x: Float64Array, n: number, d: number, opts: TsneOptions): Promise<Float64Array> {
  const dims = opts.dims;
  const perplexity = Math.min(opts.perplexity ?? 30, Math.max(1, (n - 1) / 3));
  const iterations = opts.iterations ?? 1000;
  const exaggerationIters = Math.min(250, iterations);
  const theta = opts.theta ?? 0.5;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const lr = opts.learningRate ?? Math.max(n / exaggeration / 4, 50);
  const ticker = new Ticker(opts);

  const knn = await nearestNeighbors(x, n, d, Math.min(n - 1, Math.floor(3 * perplexity + 1)), subWork(opts, 0, 0.2));
  const P = jointProbabilities(knn.indices, knn.distances, n, knn.k, perplexity);

  const y = Float64Array.from(opts.init);
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i * dims] * y[i * dims];
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i * dims];
  const std = Math.sqrt(Math.max(0, s / n - (m / n) ** 2)) || 1;
  for (let i = 0; i < y.length; i++) y[i] *= 1e-4 / std;

  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  const grad = new Float64Array(n * dims);
  const tree = new SpaceTree(y, n, dims);
  for (let it = 0; it < iterations; it++) {
    const early = it < exaggerationIters;
    await gradient(y, n, dims, P, early ? exaggeration : 1, theta, tree, grad, ticker);
    const momentum = early ? 0.5 : 0.8;
    for (let t = 0; t < grad.length; t++) {
      const g = grad[t];
      gains[t] = update[t] * g < 0 ? gains[t] + 0.2 : gains[t] * 0.8;
      if (gains[t] < 0.01) gains[t] = 0.01;
      update[t] = momentum * update[t] - lr * gains[t] * g;
      y[t] += update[t];
    }
    await ticker.tick(0.2 + (0.8 * (it + 1)) / iterations, `t-SNE iteration ${it + 1} / ${iterations}`);
  }
  return y;
}

/** p_{j|i} with each point's bandwidth set by bisection so that 2^H(P_i) = perplexity; then (P + Pᵀ) / Σ. */
export function jointProbabilities(indices: Int32Array, distances: Float64Array, n: number, k: number, perplexity: number): Affinities {
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * k);
  const d2 = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) d2[t] = distances[i * k + t] ** 2;
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < 100; step++) {
      let sum = 0;
      let sumDP = 0;
      for (let t = 0; t < k; t++) {
        const p = Math.exp(-d2[t] * beta);
        cond[i * k + t] = p;
        sum += p;
        sumDP += d2[t] * p;
      }
      if (sum === 0) sum = 1e-8;
      // Entropy in nats: H = log Σ + β Σ d² p / Σ.
      const h = Math.log(sum) + (beta * sumDP) / sum;
      for (let t = 0; t < k; t++) cond[i * k + t] /= sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  // Symmetrise: every (i, j) pair from either direction, merged per row.
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t];
      const p = cond[i * k + t];
      rows[i].set(j, (rows[i].get(j) ?? 0) + p);
      rows[j].set(i, (rows[j].get(i) ?? 0) + p);
      total += 2 * p;
    }
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].size;
  const cols = new Int32Array(rowStart[n]);
  const vals = new Float64Array(rowStart[n]);
  for (let i = 0; i < n; i++) {
    const entries = [...rows[i].entries()].sort((a, b) => a[0] - b[0]);
    entries.forEach(([j, p], t) => {
      cols[rowStart[i] + t] = j;
      vals[rowStart[i] + t] = p / Math.max(total, 1e-300);
    });
  }
  return { rowStart, cols, vals };
}

/**
 * ∂KL/∂y_i = 4 (α Σ_j p_ij q̃_ij (y_i − y_j) − Σ_j q̃_ij² (y_i − y_j) / Z), q̃ = 1/(1 + ‖y_i − y_j‖²), Z = Σ q̃,
 * the repulsion from the tree. Written into `grad`.
 */
export async function gradient(
  y: Float64Array,
  n: number,
  dims: 2 | 3,
  P: Affinities,
  exaggeration: number,
  theta: number,
  tree: SpaceTree,
  grad: Float64Array,
  ticker?: Ticker,
): Promise<void> {
  tree.build();
  const neg = new Float64Array(n * dims);
  const f = new Float64Array(dims);
  let z = 0;
  for (let i = 0; i < n; i++) {
    f.fill(0);
    z += tree.repulsion(i, theta, f);
    for (let t = 0; t < dims; t++) neg[i * dims + t] = f[t];
    if (ticker && (i & 1023) === 0) await ticker.tick();
  }
  grad.fill(0);
  for (let i = 0; i < n; i++) {
    const oi = i * dims;
    for (let e = P.rowStart[i]; e < P.rowStart[i + 1]; e++) {
      const j = P.cols[e];
      const oj = j * dims;
      let d2 = 0;
      for (let t = 0; t < dims; t++) d2 += (y[oi + t] - y[oj + t]) ** 2;
      const w = (exaggeration * P.vals[e]) / (1 + d2);
      for (let t = 0; t < dims; t++) grad[oi + t] += w * (y[oi + t] - y[oj + t]);
    }
  }
  const invZ = 1 / Math.max(z, 1e-300);
  for (let t = 0; t < grad.length; t++) grad[t] = 4 * (grad[t] - neg[t] * invZ);
}
