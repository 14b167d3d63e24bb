// The projector's maths against independent computations written here: Barnes–Hut t-SNE's gradient against the
// O(n²) formula (θ = 0 must be exact, θ = 0.5 close), the perplexity calibration, PCA's subspace iteration
// against the covariance route, exact nearest neighbours against a sort, and Jacobi against a known spectrum.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../main/optim/rng';
import { symmetricEigen } from '../../../main/projector/eigen';
import { cosineNeighbors, knnAccuracy, nearestNeighbors, unitRows } from '../../../main/projector/knn';
import { pca } from '../../../main/projector/pca';
import { SpaceTree } from '../../../main/projector/space-tree';
import { gradient, jointProbabilities } from '../../../main/projector/tsne';

const rng = seededRng(3);
const randn = (n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** The t-SNE gradient by its definition, every pair (van der Maaten 2014, eq. 4 with the exaggeration α). */
function exactGradient(y: Float64Array, n: number, dims: number, p: (i: number, j: number) => number, alpha: number): Float64Array {
  let z = 0;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let d2 = 0;
      for (let t = 0; t < dims; t++) d2 += (y[i * dims + t] - y[j * dims + t]) ** 2;
      q[i * n + j] = 1 / (1 + d2);
      z += q[i * n + j];
    }
  const g = new Float64Array(n * dims);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = (alpha * p(i, j) - q[i * n + j] / z) * q[i * n + j];
      for (let t = 0; t < dims; t++) g[i * dims + t] += 4 * w * (y[i * dims + t] - y[j * dims + t]);
    }
  return g;
}

describe('t-SNE', () => {
  for (const dims of [2, 3] as const) {
    it(`Barnes–Hut gradient in ${dims}-D: θ = 0 equals the exact gradient, θ = 0.5 is within 2%`, async () => {
      const n = 150;
      const x = randn(n * 5);
      const knn = await nearestNeighbors(x, n, 5, 30);
      const P = jointProbabilities(knn.indices, knn.distances, n, knn.k, 10);
      const dense = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let e = P.rowStart[i]; e < P.rowStart[i + 1]; e++) dense[i * n + P.cols[e]] = P.vals[e];
      const y = randn(n * dims).map((v) => v * 3);
      const want = exactGradient(y, n, dims, (i, j) => dense[i * n + j], 4);
      const tree = new SpaceTree(y, n, dims);
      const exact = new Float64Array(n * dims);
      await gradient(y, n, dims, P, 4, 0, tree, exact);
      const norm = Math.sqrt(want.reduce((s, v) => s + v * v, 0));
      const err = (g: Float64Array) => Math.sqrt(g.reduce((s, v, i) => s + (v - want[i]) ** 2, 0)) / norm;
      expect(err(exact)).toBeLessThan(1e-12);
      const bh = new Float64Array(n * dims);
      await gradient(y, n, dims, P, 4, 0.5, tree, bh);
      expect(err(bh)).toBeLessThan(0.02);
      expect(err(bh)).toBeGreaterThan(0); // the approximation is in use
    });
  }

  it('calibrates each point’s bandwidth to the perplexity and returns a symmetric P summing to 1', async () => {
    const n = 200;
    const x = randn(n * 4);
    const knn = await nearestNeighbors(x, n, 4, 90);
    const P = jointProbabilities(knn.indices, knn.distances, n, knn.k, 30);
    const total = P.vals.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    const at = (i: number, j: number) => {
      for (let e = P.rowStart[i]; e < P.rowStart[i + 1]; e++) if (P.cols[e] === j) return P.vals[e];
      return 0;
    };
    for (let i = 0; i < 20; i++)
      for (let e = P.rowStart[i]; e < P.rowStart[i + 1]; e++) expect(at(P.cols[e], i)).toBeCloseTo(P.vals[e], 15);
  });
});

describe('PCA', () => {
  it('subspace iteration (d > 160) equals the covariance + Jacobi route on the same data, signs included', async () => {
    const n = 300;
    const d = 200;
    // A decaying spectrum, as embeddings have.
    const x = new Float32Array(n * d);
    for (let r = 0; r < 8; r++) {
      const dir = randn(d);
      for (let i = 0; i < n; i++) {
        const c = rng.normal() * (8 - r);
        for (let t = 0; t < d; t++) x[i * d + t] += c * dir[t];
      }
    }
    for (let i = 0; i < x.length; i++) x[i] += 0.1 * rng.normal();
    const sub = await pca(x, n, d, 3, { seed: 5 });
    expect(sub.iterations).toBeGreaterThan(0);
    // The reference: the covariance formed here and decomposed by Jacobi.
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += x[i * d + t] / n;
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
    const { values, vectors } = symmetricEigen(cov, d);
    for (let j = 0; j < 3; j++) {
      expect(sub.variance[j]).toBeCloseTo(values[j] / (n - 1), 6);
      let dot = 0;
      for (let t = 0; t < d; t++) dot += sub.components[j * d + t] * vectors[t * d + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    }
    // Another seed, the same answer.
    const other = await pca(x, n, d, 3, { seed: 99 });
    for (let i = 0; i < sub.coords.length; i++) expect(other.coords[i]).toBeCloseTo(sub.coords[i], 6);
    // svd_flip's convention: the largest |coordinate| of each axis is positive.
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: n }, (_, i) => sub.coords[i * 3 + j]);
      const big = col.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('Jacobi recovers a known spectrum', () => {
    // Q diag(5, 3, 1, 0.5) Qᵀ with Q a rotation.
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const q = [c, -s, 0, 0, s, c, 0, 0, 0, 0, c, -s, 0, 0, s, c];
    const lam = [5, 3, 1, 0.5];
    const a = new Float64Array(16);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) a[i * 4 + j] += q[i * 4 + k] * lam[k] * q[j * 4 + k];
    const { values } = symmetricEigen(a, 4);
    expect([...values].map((v) => +v.toFixed(12))).toEqual(lam);
  });
});

describe('nearest neighbours', () => {
  it('match a full sort, self first when asked; cosine neighbours rank by similarity', async () => {
    const n = 120;
    const d = 6;
    const x = randn(n * d);
    const knn = await nearestNeighbors(x, n, d, 7, { includeSelf: true });
    for (const i of [0, 17, 119]) {
      const dist = Array.from({ length: n }, (_, j) => ({
        j,
        v: Math.hypot(...Array.from({ length: d }, (_, t) => x[i * d + t] - x[j * d + t])),
      }));
      dist.sort((a, b) => a.v - b.v);
      expect([...knn.indices.subarray(i * 7, i * 7 + 7)]).toEqual(dist.slice(0, 7).map((e) => e.j));
      expect(knn.distances[i * 7 + 3]).toBeCloseTo(dist[3].v, 12);
    }
    const unit = unitRows(Float32Array.from(x), n, d);
    const nb = cosineNeighbors(unit, n, d, 5, 4);
    const sims = Array.from({ length: n }, (_, j) => {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += unit[5 * d + t] * unit[j * d + t];
      return { j, dot };
    })
      .filter((e) => e.j !== 5)
      .sort((a, b) => b.dot - a.dot);
    expect(nb.map((e) => e.index)).toEqual(sims.slice(0, 4).map((e) => e.j));
  });

  it('kNN accuracy is 1 for separated clusters and near chance for shuffled labels', async () => {
    const n = 200;
    const x = new Float64Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4;
      x[i * 2] = (i % 4) * 100 + rng.normal();
      x[i * 2 + 1] = rng.normal();
    }
    expect(await knnAccuracy(x, n, 2, labels)).toBe(1);
    const shuffled = labels.map(() => rng.int(0, 3));
    expect(await knnAccuracy(x, n, 2, shuffled)).toBeLessThan(0.45);
  });
});
