import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadTensorCache } from '../../../../main/train/data/cache';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  fashionMnistAvailable,
  parseIdx,
  readFashionMnist,
  writeFashionMnistFolders,
} from '../../../../main/train/data/fashion-mnist';
import { compareNames, scanDataset } from '../../../../main/train/data/scan';
import { tempDir } from './fixtures';

function idx(rank: number, dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * rank);
  head.set([0, 0, 8, rank]);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('IDX files', () => {
  it('reads plain and gzip-compressed files, checking the header against the data', async () => {
    const dir = tempDir('idx');
    const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idx(3, [3, 2, 2], pixels)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx(1, [3], [9, 0, 4]));
    const set = await readFashionMnist('train', dir);
    expect([set.count, set.rows, set.cols]).toEqual([3, 2, 2]);
    expect(Array.from(set.images)).toEqual(pixels);
    expect(Array.from(set.labels)).toEqual([9, 0, 4]);
    expect(fashionMnistAvailable(dir)).toBe(true);
    await expect(readFashionMnist('test', dir)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a wrong header, a short body and out-of-range labels', async () => {
    expect(() => parseIdx(idx(1, [3], [1, 2, 3]), 3)).toThrow(/not an unsigned-byte IDX file of rank 3/);
    expect(() => parseIdx(idx(1, [4], [1, 2, 3]), 1)).toThrow(/3 data bytes, expected 4/);
    const dir = tempDir('idx-bad');
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idx(3, [1, 1, 1], [0]));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx(1, [1], [10]));
    await expect(readFashionMnist('train', dir)).rejects.toThrow(/outside 0\.\.9/);
  });
});

// CI installs dataset-fashion-mnist: there a missing dataset is a failure, not a skip.
const available = fashionMnistAvailable();
if (!available && process.env.CI) {
  it('finds Fashion-MNIST (CI installs dataset-fashion-mnist)', () => {
    const found = fs.existsSync(FASHION_MNIST_DIR) ? `holds only [${fs.readdirSync(FASHION_MNIST_DIR).join(', ')}]` : 'does not exist';
    throw new Error(`${FASHION_MNIST_DIR} ${found}: no Fashion-MNIST IDX files, and CI installs dataset-fashion-mnist.`);
  });
}

describe.skipIf(!available)('Fashion-MNIST from the Debian package', () => {
  it('has 60000 training and 10000 test images of 28 × 28, balanced over 10 classes', async () => {
    for (const [split, count] of [
      ['train', 60000],
      ['test', 10000],
    ] as const) {
      const set = await readFashionMnist(split);
      expect([set.count, set.rows, set.cols]).toEqual([count, 28, 28]);
      expect(set.images.length).toBe(count * 784);
      const perClass = new Array(10).fill(0);
      for (const l of set.labels) perClass[l]++;
      expect(perClass).toEqual(new Array(10).fill(count / 10));
    }
  });

  it('writes class folders of PNGs that scan and load back to the same pixels', async () => {
    const out = tempDir('fmnist');
    expect(await writeFashionMnistFolders(out, { perClass: 3, valPerClass: 2 })).toEqual({ train: 30, val: 20 });
    const scan = await scanDataset(out);
    expect(scan.layout).toBe('train-val');
    expect(scan.classes).toEqual([...FASHION_MNIST_CLASSES].sort(compareNames));
    expect([scan.train.length, scan.val!.length, scan.skipped]).toEqual([30, 20, []]);
    expect(path.relative(out, scan.train[0].file)).toBe(path.join('train', 'Ankle_boot', '00001.png'));

    // The first Ankle_boot of the test set, through PNG, decode and the grey cache: the very same bytes.
    const test = await readFashionMnist('test');
    const first = test.labels.indexOf(FASHION_MNIST_CLASSES.indexOf('Ankle_boot'));
    const cache = await loadTensorCache([scan.val![0]], { size: 28, channels: 1, resize: 'fill' });
    expect(cache.data).toEqual(test.images.subarray(first * 784, (first + 1) * 784));
    await expect(writeFashionMnistFolders(out, { perClass: 1 })).rejects.toThrow(/already exists/);
  });
});
