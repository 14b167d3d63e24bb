// Fashion-MNIST as a user would bring it to the projector: one folder of PNGs per class, the first `perClass`
// images of each class of the test set (deterministic), 28 px grey.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, readFashionMnist } from '../../../main/train/data/fashion-mnist';
import { forEachLimit } from '../../../main/train/data/io';

export async function writeClassFolders(out: string, perClass: number): Promise<{ files: string[]; labels: number[] }> {
  const set = await readFashionMnist('test');
  const taken = new Array<number>(10).fill(0);
  const jobs: { file: string; index: number; label: number }[] = [];
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    if (taken[label] >= perClass) continue;
    const name = `${String(++taken[label]).padStart(5, '0')}.png`;
    jobs.push({ file: path.join(out, FASHION_MNIST_CLASSES[label], name), index: i, label });
  }
  for (const c of FASHION_MNIST_CLASSES) fs.mkdirSync(path.join(out, c), { recursive: true });
  const px = set.rows * set.cols;
  await forEachLimit(jobs, async ({ file, index }) => {
    await sharp(set.images.subarray(index * px, (index + 1) * px), { raw: { width: set.cols, height: set.rows, channels: 1 } })
      .png()
      .toFile(file);
  });
  return { files: jobs.map((j) => j.file), labels: jobs.map((j) => j.label) };
}

/** The raw test-set pixels of the first n images as an n×784 float matrix (0..1) with their labels. */
export async function fashionPixels(n: number): Promise<{ x: Float32Array; labels: Uint8Array; d: number }> {
  const set = await readFashionMnist('test');
  const d = set.rows * set.cols;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = set.images[i] / 255;
  return { x, labels: set.labels.slice(0, n), d };
}
