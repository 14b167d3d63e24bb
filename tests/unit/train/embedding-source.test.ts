// The transfer head's batches: training rows (one variant drawn per image), and validation rows as views of
// one packed copy, row order and labels as given, whatever indices are asked for.
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../../main/optim/rng';
import { EmbeddingSource } from '../../../main/train/sources';

const dim = 5;
const row = (seed: number) => Float32Array.from({ length: dim }, (_, j) => seed * 10 + j);

describe('EmbeddingSource', () => {
  const val = [row(1), row(2), row(3), row(4)];
  const source = new EmbeddingSource([[row(7), row(8)]], Int32Array.of(0, 1), val, Int32Array.of(3, 1, 2, 0), dim);

  it('gives validation rows and labels for a consecutive run and for scattered indices', () => {
    const run = source.valBatch(Uint32Array.of(1, 2, 3));
    expect(run.dims).toEqual([3, dim]);
    expect(Array.from(run.x)).toEqual([...row(2), ...row(3), ...row(4)]);
    expect(Array.from(run.labels)).toEqual([1n, 2n, 0n]);
    const scattered = source.valBatch([3, 0]);
    expect(Array.from(scattered.x)).toEqual([...row(4), ...row(1)]);
    expect(Array.from(scattered.labels)).toEqual([0n, 3n]);
    // The packed copy is the source's own: changing the rows given to it afterwards changes nothing.
    val[0].fill(-1);
    expect(Array.from(source.valBatch([0]).x)).toEqual(Array.from(row(1)));
  });

  it('gives training rows with their labels', () => {
    const b = source.trainBatch([1, 0], 0, seededRng(1));
    expect(Array.from(b.x)).toEqual([...row(8), ...row(7)]);
    expect(Array.from(b.labels)).toEqual([1n, 0n]);
  });
});
