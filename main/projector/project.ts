// One entry point from a set's embeddings to a layout: PCA directly on the embeddings; UMAP and t-SNE on the
// embeddings' first 50 principal components (as the TensorFlow projector and scikit-learn's advice do: it
// removes noise dimensions and makes the O(n²) neighbour search 25× cheaper for a 1,280-wide embedding).
import type { ProjectionMethod } from '../api/contract';
import { knnAccuracy } from './knn';
import { pca } from './pca';
import { subWork, type Work } from './ticker';
import { tsne } from './tsne';
import { umap } from './umap';

export interface ProjectOptions extends Work {
  method: ProjectionMethod;
  dims: 2 | 3;
  seed?: number;
  perplexity?: number;
  iterations?: number;
  neighbors?: number;
  minDist?: number;
}

export interface Layout {
  /** n × dims. */
  coords: Float64Array;
  varianceRatio: number[] | null;
}

/** Components kept before UMAP and t-SNE. */
export const PRE_PCA = 50;

export async function layout(x: Float32Array, n: number, d: number, opts: ProjectOptions): Promise<Layout> {
  if (n < 3) throw new Error(`a projection needs at least 3 images, got ${n}`);
  const seed = opts.seed ?? 0;
  if (opts.method === 'pca') {
    const p = await pca(x, n, d, opts.dims, { ...opts, seed });
    return { coords: padDims(p.coords, n, p.k, opts.dims), varianceRatio: [...p.varianceRatio] };
  }
  // Pre-reduction: a few rounds of subspace iteration are plenty for a denoising step.
  const k = Math.min(PRE_PCA, d, n);
  const reduced = d > k ? (await pca(x, n, d, k, { ...subWork(opts, 0, 0.15), seed, tol: 1e-3, maxIter: 8 })).coords : Float64Array.from(x);
  const rest = subWork(opts, 0.15, 1);
  if (opts.method === 'umap')
    return {
      coords: await umap(reduced, n, k, { ...rest, dims: opts.dims, seed, neighbors: opts.neighbors, minDist: opts.minDist }),
      varianceRatio: null,
    };
  const init = new Float64Array(n * opts.dims);
  for (let i = 0; i < n; i++) for (let t = 0; t < Math.min(opts.dims, k); t++) init[i * opts.dims + t] = reduced[i * k + t];
  return {
    coords: await tsne(reduced, n, k, { ...rest, dims: opts.dims, init, perplexity: opts.perplexity, iterations: opts.iterations }),
    varianceRatio: null,
  };
}

/** Embeddings narrower than the layout (a 2-wide embedding shown in 3-D) get zero coordinates. */
function padDims(c: Float64Array, n: number, k: number, dims: number): Float64Array {
  if (k === dims) return c;
  const out = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) out[i * dims + t] = c[i * k + t];
  return out;
}

/** The layout's 5-NN accuracy against the folder labels (how well the layout keeps the folders apart). */
export function layoutKnnAccuracy(coords: Float64Array, n: number, dims: number, labels: ArrayLike<number>): Promise<number> {
  return knnAccuracy(coords, n, dims, labels, 5);
}
