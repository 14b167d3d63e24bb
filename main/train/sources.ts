// Batches for the training loop: decoded images (augmented per step, normalised) for networks trained from
// scratch, and cached embedding rows (one of the precomputed augmented copies per epoch) for transfer heads.
import type { Rng } from '../optim/rng';
import { makeBatch, type Augmentation } from './data/augment';
import type { ImageSet } from './data/cache';
import type { Batch, BatchSource } from './loop';

export class ImageSource implements BatchSource {
  private readonly buf: Float32Array;
  private readonly noAugment = new Set<Augmentation>();

  constructor(
    private readonly train: ImageSet,
    private readonly val: ImageSet,
    private readonly augment: ReadonlySet<Augmentation>,
    readonly mean: number[],
    readonly std: number[],
    maxBatch: number,
  ) {
    this.buf = new Float32Array(maxBatch * train.channels * train.size * train.size);
  }

  get trainCount(): number {
    return this.train.n;
  }
  get valCount(): number {
    return this.val.n;
  }

  private dims(n: number): number[] {
    return [n, this.train.channels, this.train.size, this.train.size];
  }

  trainBatch(indices: ArrayLike<number>, _epoch: number, rng: Rng): Batch {
    const b = makeBatch(this.train, indices, { augment: this.augment, mean: this.mean, std: this.std, rng, out: this.buf });
    return { x: b.x, dims: this.dims(indices.length), labels: b.labels };
  }

  valBatch(indices: ArrayLike<number>): Batch {
    const rng = {
      next: () => 0,
      int: (lo: number) => lo,
      normal: () => 0,
      bernoulli: (o: Float32Array, p: number) => o.fill(p > 0 ? 1 : 0),
    };
    const b = makeBatch(this.val, indices, { augment: this.noAugment, mean: this.mean, std: this.std, rng });
    return { x: b.x, dims: this.dims(indices.length), labels: b.labels };
  }

  valLabel(i: number): number {
    return this.val.labels[i];
  }
}

/** Rows of [variants][n][dim]; variant 0 is the plain image, the others augmented copies. */
export class EmbeddingSource implements BatchSource {
  /** The validation rows packed once, row after row, with their labels: every epoch evaluates views of them. */
  private readonly valX: Float32Array;
  private readonly valY: BigInt64Array;

  constructor(
    private readonly train: Float32Array[][],
    private readonly trainLabels: Int32Array,
    val: Float32Array[],
    private readonly valLabels: Int32Array,
    private readonly dim: number,
  ) {
    this.valX = new Float32Array(val.length * dim);
    val.forEach((row, i) => this.valX.set(row, i * dim));
    this.valY = BigInt64Array.from(valLabels, (l) => BigInt(l));
  }

  get trainCount(): number {
    return this.trainLabels.length;
  }
  get valCount(): number {
    return this.valLabels.length;
  }

  /** Reused between steps (a batch is consumed by its session.run before the next one is made). */
  private xBuf = new Float32Array(0);
  private yBuf = new BigInt64Array(0);

  private gather(rows: (i: number) => Float32Array, labels: Int32Array, indices: ArrayLike<number>, reuse: boolean): Batch {
    const n = indices.length;
    if (reuse && this.xBuf.length < n * this.dim) {
      this.xBuf = new Float32Array(n * this.dim);
      this.yBuf = new BigInt64Array(n);
    }
    const x = reuse ? this.xBuf.subarray(0, n * this.dim) : new Float32Array(n * this.dim);
    const y = reuse ? this.yBuf.subarray(0, n) : new BigInt64Array(n);
    for (let k = 0; k < n; k++) {
      x.set(rows(indices[k]), k * this.dim);
      y[k] = BigInt(labels[indices[k]]);
    }
    return { x, dims: [n, this.dim], labels: y };
  }

  trainBatch(indices: ArrayLike<number>, epoch: number, rng: Rng): Batch {
    const variants = this.train.length;
    // Each image draws one of its variants per step: augmentation without re-running the base network.
    return this.gather((i) => this.train[variants > 1 ? Math.floor(rng.next() * variants) : 0][i], this.trainLabels, indices, true);
  }

  /** A run of consecutive images (what evaluation asks for) is a view, not a copy: 2 MB per epoch for 400 × 1280. */
  valBatch(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const first = n ? indices[0] : 0;
    let consecutive = true;
    for (let k = 1; k < n && consecutive; k++) consecutive = indices[k] === first + k;
    if (consecutive)
      return {
        x: this.valX.subarray(first * this.dim, (first + n) * this.dim),
        dims: [n, this.dim],
        labels: this.valY.subarray(first, first + n),
      };
    const row = (i: number) => this.valX.subarray(i * this.dim, (i + 1) * this.dim);
    return this.gather(row, this.valLabels, indices, false);
  }

  valLabel(i: number): number {
    return this.valLabels[i];
  }
}
