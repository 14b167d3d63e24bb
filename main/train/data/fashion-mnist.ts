// Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX files, gzip or not): raw arrays for benchmarks,
// or class folders of PNGs, the layout a user would bring, for end-to-end tests of the training path.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { StudioError } from '../../api/contract';
import { forEachLimit } from './io';

/** Debian's path; VISION_STUDIO_FASHION_MNIST points elsewhere (other systems, a copy of the upstream files). */
export const FASHION_MNIST_DIR = process.env.VISION_STUDIO_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';

/** In label order (label 0 is T-shirt/top). Folder names, so no '/'. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
];

export type FashionSplit = 'train' | 'test';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols, row-major, 0 = black background. */
  images: Uint8Array;
  /** 0..9, indices into FASHION_MNIST_CLASSES. */
  labels: Uint8Array;
}

const gunzip = promisify(zlib.gunzip);
const PREFIX: Record<FashionSplit, string> = { train: 'train', test: 't10k' };

export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return findIdx(dir, 'train', 'images') !== null;
}

export async function readFashionMnist(split: FashionSplit, dir = FASHION_MNIST_DIR): Promise<IdxImages> {
  const images = parseIdx(await readIdxFile(dir, split, 'images'), 3);
  const labels = parseIdx(await readIdxFile(dir, split, 'labels'), 1);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) throw new StudioError('bad_request', `${dir}: ${count} ${split} images but ${labels.dims[0]} labels.`);
  const bad = labels.data.findIndex((l) => l >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) throw new StudioError('bad_request', `${dir}: ${split} label ${bad} is ${labels.data[bad]}, outside 0..9.`);
  return { count, rows, cols, images: images.data, labels: labels.data };
}

/** The IDX format: 0x0000, type 0x08 (unsigned byte), rank, then rank big-endian u32 dimensions, then the data. */
export function parseIdx(bytes: Uint8Array, rank: number, name = 'IDX file'): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank || view.getUint16(0) !== 0 || bytes[2] !== 0x08 || bytes[3] !== rank) {
    throw new StudioError('bad_request', `${name}: not an unsigned-byte IDX file of rank ${rank}.`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== n) throw new StudioError('bad_request', `${name}: ${bytes.length - start} data bytes, expected ${n}.`);
  return { dims, data: bytes.subarray(start) };
}

function findIdx(dir: string, split: FashionSplit, kind: 'images' | 'labels'): string | null {
  const rank = kind === 'images' ? 3 : 1;
  // Upstream's names, with or without .gz; some mirrors use a dot before "idx".
  for (const sep of ['-', '.']) {
    const base = path.join(dir, `${PREFIX[split]}-${kind}${sep}idx${rank}-ubyte`);
    for (const p of [base, `${base}.gz`]) if (fs.existsSync(p)) return p;
  }
  return null;
}

async function readIdxFile(dir: string, split: FashionSplit, kind: 'images' | 'labels'): Promise<Uint8Array> {
  const file = findIdx(dir, split, kind);
  if (!file) {
    throw new StudioError('not_found', `${dir}: no Fashion-MNIST ${split} ${kind} file (install the dataset-fashion-mnist package).`);
  }
  const raw = await fs.promises.readFile(file);
  // Gzip by its magic bytes, not the name: either form may sit under either name.
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? await gunzip(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface FolderOptions {
  /** Training images per class (the first ones of each class in the file: deterministic). */
  perClass: number;
  /** Validation images per class, from the test set (default: perClass, at most the 1000 the test set has). */
  valPerClass?: number;
  dir?: string;
  /** Replace existing train/ and val/ folders under the output folder. */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Writes out/train/<class>/00001.png ... and out/val/<class>/..., grey PNGs. Returns the counts written. */
export async function writeFashionMnistFolders(out: string, opts: FolderOptions): Promise<{ train: number; val: number }> {
  const jobs: { file: string; set: IdxImages; index: number }[] = [];
  const written = { train: 0, val: 0 };
  for (const sub of ['train', 'val']) {
    const target = path.join(out, sub);
    if (!fs.existsSync(target)) continue;
    if (!opts.force)
      throw new StudioError('bad_request', `${target} already exists: choose another folder, or force (--force) to replace it.`);
    await fs.promises.rm(target, { recursive: true });
  }
  for (const [split, sub, per] of [
    ['train', 'train', opts.perClass],
    ['test', 'val', opts.valPerClass ?? Math.min(opts.perClass, 1000)],
  ] as const) {
    const target = path.join(out, sub);
    const set = await readFashionMnist(split, opts.dir);
    const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
    for (let i = 0; i < set.count; i++) {
      const label = set.labels[i];
      if (taken[label] >= per) continue;
      const name = `${String(++taken[label]).padStart(5, '0')}.png`;
      jobs.push({ file: path.join(target, FASHION_MNIST_CLASSES[label], name), set, index: i });
      written[sub]++;
    }
    for (const name of FASHION_MNIST_CLASSES) await fs.promises.mkdir(path.join(target, name), { recursive: true });
  }
  let done = 0;
  await forEachLimit(jobs, async ({ file, set, index }) => {
    const px = set.rows * set.cols;
    const pixels = set.images.subarray(index * px, (index + 1) * px);
    await sharp(pixels, { raw: { width: set.cols, height: set.rows, channels: 1 } })
      .png()
      .toFile(file);
    opts.onProgress?.(++done, jobs.length);
  });
  return written;
}
