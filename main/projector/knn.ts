// Exact nearest neighbours by brute force: Euclidean in the reduced space (the input of t-SNE and UMAP, and the
// kNN-accuracy measure), cosine in the original embedding space (the "similar images" list). O(n²·d); the
// reduced space has ≤ 50 dimensions, so 10,000 points take a few seconds and the result does not depend on luck
// as approximate methods (NN-descent) do.
import { Ticker, type Work } from './ticker';

export interface Knn {
  k: number;
  /** n×k neighbour indices, nearest first. */
  indices: Int32Array;
  /** n×k Euclidean distances (not squared), ascending. */
  distances: Float64Array;
}

/** Max-heap of the k best (smallest) candidates seen so far, in parallel arrays. */
class TopK {
  readonly idx: Int32Array;
  readonly key: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.idx = new Int32Array(k);
    this.key = new Float64Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** Worst kept key (the heap's root), +∞ until full. */
  get bound(): number {
    return this.size < this.k ? Infinity : this.key[0];
  }
  push(i: number, key: number): void {
    const { idx, k: cap } = this;
    const keys = this.key;
    if (this.size < cap) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (keys[p] >= key) break;
        keys[c] = keys[p];
        idx[c] = idx[p];
        c = p;
      }
      keys[c] = key;
      idx[c] = i;
      return;
    }
    if (key >= keys[0]) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= cap) break;
      const r = l + 1;
      const m = r < cap && keys[r] > keys[l] ? r : l;
      if (keys[m] <= key) break;
      keys[c] = keys[m];
      idx[c] = idx[m];
      c = m;
    }
    keys[c] = key;
    idx[c] = i;
  }
  /** Sorted ascending by key (ties by index, so results are deterministic). */
  sorted(): { i: number; key: number }[] {
    const out = Array.from({ length: this.size }, (_, t) => ({ i: this.idx[t], key: this.key[t] }));
    return out.sort((a, b) => a.key - b.key || a.i - b.i);
  }
}

/** The k nearest neighbours of every point (Euclidean); `includeSelf` puts each point first in its own list. */
export async function nearestNeighbors(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  opts: Work & { includeSelf?: boolean } = {},
): Promise<Knn> {
  const self = opts.includeSelf ? 1 : 0;
  k = Math.min(k, n - 1 + self);
  const others = k - self;
  const ticker = new Ticker(opts);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0, o = i * d; t < d; t++) s += x[o + t] * x[o + t];
    norms[i] = s;
  }
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const heap = new TopK(Math.max(1, others));
  for (let i = 0; i < n; i++) {
    heap.reset();
    const oi = i * d;
    const ni = norms[i];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const oj = j * d;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += x[oi + t] * x[oj + t];
      const d2 = ni + norms[j] - 2 * dot;
      if (d2 < heap.bound) heap.push(j, d2);
    }
    const row = i * k;
    if (self) indices[row] = i;
    heap.sorted().forEach(({ i: j }, t) => {
      // Recomputed directly: the norm expansion loses digits for near-duplicates.
      let s = 0;
      for (let u = 0; u < d; u++) {
        const diff = x[oi + u] - x[j * d + u];
        s += diff * diff;
      }
      indices[row + self + t] = j;
      distances[row + self + t] = Math.sqrt(s);
    });
    if ((i & 31) === 0) await ticker.tick(i / n, `nearest neighbours ${i.toLocaleString('en-US')} / ${n.toLocaleString('en-US')}`);
  }
  return { k, indices, distances };
}

/** Rows scaled to unit length (a zero row stays zero), so a dot product is the cosine similarity. */
export function unitRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0, o = i * d; t < d; t++) s += x[o + t] * x[o + t];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let t = 0, o = i * d; t < d; t++) out[o + t] = x[o + t] * inv;
  }
  return out;
}

/** The k points most similar to point `q` by cosine similarity (`unit` from unitRows), itself excluded. */
export function cosineNeighbors(unit: Float32Array, n: number, d: number, q: number, k: number): { index: number; similarity: number }[] {
  const heap = new TopK(Math.max(1, Math.min(k, n - 1)));
  const oq = q * d;
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    let dot = 0;
    for (let t = 0, oj = j * d; t < d; t++) dot += unit[oq + t] * unit[oj + t];
    // The heap keeps the smallest keys: the negated similarity.
    if (-dot < heap.bound) heap.push(j, -dot);
  }
  return heap.sorted().map(({ i, key }) => ({ index: i, similarity: -key }));
}

/** Share of points whose k nearest neighbours' majority label is their own (ties: the nearest tied label). */
export async function knnAccuracy(x: Float64Array, n: number, d: number, labels: ArrayLike<number>, k = 5): Promise<number> {
  const knn = await nearestNeighbors(x, n, d, k);
  let right = 0;
  for (let i = 0; i < n; i++) {
    const votes = new Map<number, number>();
    for (let t = 0; t < knn.k; t++) {
      const l = labels[knn.indices[i * knn.k + t]];
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1;
    let bestVotes = -1;
    // Map order is first-seen order = nearest first, so a tie goes to the nearer label.
    for (const [l, v] of votes)
      if (v > bestVotes) {
        best = l;
        bestVotes = v;
      }
    if (best === labels[i]) right++;
  }
  return right / n;
}
