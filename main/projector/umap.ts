// UMAP (McInnes et al. 2018) through umap-js, made deterministic and cancellable: exact nearest neighbours
// (knn.ts, each point first in its own list as umap-learn has it) instead of umap-js's randomised NN-descent, the
// seeded RNG for the layout's initialisation and negative sampling, and the epochs stepped one by one so
// progress and cancel reach it.
import { UMAP } from 'umap-js';
import { seededRng } from '../optim/rng';
import { nearestNeighbors } from './knn';
import { Ticker, subWork, type Work } from './ticker';

export interface UmapOptions extends Work {
  dims: 2 | 3;
  seed?: number;
  neighbors?: number;
  minDist?: number;
  /** Epochs of layout optimisation (umap-js's default by size: 500 up to 2,500 points … 200 above 7,500). */
  epochs?: number;
}

export async function umap(x: Float64Array, n: number, d: number, opts: UmapOptions): Promise<Float64Array> {
  const neighbors = Math.max(2, Math.min(opts.neighbors ?? 15, n - 1));
  const knn = await nearestNeighbors(x, n, d, neighbors, { ...subWork(opts, 0, 0.3), includeSelf: true });
  const rng = seededRng(opts.seed ?? 0);
  const u = new UMAP({
    nComponents: opts.dims,
    nNeighbors: neighbors,
    minDist: opts.minDist ?? 0.1,
    nEpochs: opts.epochs,
    random: () => rng.next(),
  });
  const rows = (a: ArrayLike<number>) => Array.from({ length: n }, (_, i) => Array.from({ length: knn.k }, (_, t) => a[i * knn.k + t]));
  u.setPrecomputedKNN(rows(knn.indices), rows(knn.distances));
  const vectors = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
  const ticker = new Ticker(opts);
  ticker.check();
  const epochs = u.initializeFit(vectors);
  for (let e = 0; e < epochs; e++) {
    u.step();
    await ticker.tick(0.35 + (0.65 * (e + 1)) / epochs, `UMAP epoch ${e + 1} / ${epochs}`);
  }
  const emb = u.getEmbedding();
  const out = new Float64Array(n * opts.dims);
  for (let i = 0; i < n; i++) for (let t = 0; t < opts.dims; t++) out[i * opts.dims + t] = emb[i][t];
  return out;
}
