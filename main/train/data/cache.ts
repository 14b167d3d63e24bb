// Decode and resize every image once into one contiguous uint8 N×H×W×C block (training reads it every epoch), and
// optionally keep it on disk keyed by the files' paths, mtimes and sizes, so a second run starts at once.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../api/contract';
import { decodeImage } from '../../image/decode';
import { resizeForModel } from '../../image/preprocess';
import type { Preprocessing } from '../../api/contract';
import { errorReason, forEachLimit, formatBytes, readRegularFile, throwIfAborted } from './io';
import type { Sample, Skipped } from './scan';

export type ResizeMode = 'fill' | 'shorter-crop';

export interface CacheOptions {
  size: number;
  channels: 1 | 3;
  /** 'fill' squashes the whole image; 'shorter-crop' scales the shorter side to size and takes the centre. */
  resize: ResizeMode;
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
  maxFileBytes?: number;
}

/** The images a batch reads: the shape augment.ts and preview.ts need. */
export interface ImageSet {
  n: number;
  size: number;
  channels: 1 | 3;
  /** n × size × size × channels, row-major HWC per image. */
  data: Uint8Array;
  labels: Int32Array;
}

export interface TensorCache extends ImageSet {
  /** For each kept image, its index in the samples given (bad files are dropped). */
  sourceIndex: Uint32Array;
  skipped: Skipped[];
  /** Loaded from cacheDir without decoding anything. */
  fromDisk: boolean;
  key: string;
  /** Why the cache could not be written (the images are still returned). */
  diskError?: string;
}

/** Beyond this the process would likely run out of memory: refuse before allocating. */
export const MAX_CACHE_BYTES = 4 * 1024 ** 3;
// 2: images resized as torchvision does (PIL's antialiased bilinear), no longer by libvips.
const FORMAT_VERSION = 2;
const MAGIC = 'VSTC';

export async function loadTensorCache(samples: readonly Sample[], opts: CacheOptions): Promise<TensorCache> {
  const { size, channels } = opts;
  if (!Number.isInteger(size) || size < 1) throw new StudioError('bad_request', `Image size must be a positive integer, got ${size}.`);
  const per = size * size * channels;
  const total = samples.length * per;
  if (total > MAX_CACHE_BYTES) {
    const fits = Math.floor(Math.sqrt(MAX_CACHE_BYTES / Math.max(1, samples.length * channels)));
    throw new StudioError(
      'bad_request',
      `${samples.length.toLocaleString('en-US')} images at ${size}×${size}×${channels} need ${formatBytes(total)} in memory, ` +
        `over the ${formatBytes(MAX_CACHE_BYTES)} limit: choose an image size of ${fits} or less, or fewer images.`,
    );
  }
  const key = await cacheKey(samples, opts);
  const file = opts.cacheDir ? path.join(opts.cacheDir, `${key}.bin`) : null;
  if (file) {
    const hit = await readCache(file, key, samples, opts);
    if (hit) {
      opts.onProgress?.(samples.length, samples.length);
      return hit;
    }
  }
  const cache = await decodeAll(samples, opts, key);
  if (file) cache.diskError = await writeCache(file, cache, opts).catch((e) => `${file}: ${errorReason(e)}`);
  return cache;
}

async function decodeAll(samples: readonly Sample[], opts: CacheOptions, key: string): Promise<TensorCache> {
  const { size, channels } = opts;
  const per = size * size * channels;
  let data: Uint8Array;
  try {
    data = new Uint8Array(samples.length * per);
  } catch {
    throw new StudioError(
      'bad_request',
      `Not enough memory for ${formatBytes(samples.length * per)} of images: choose a smaller image size.`,
    );
  }
  const ok = new Uint8Array(samples.length);
  const skipped: Skipped[] = [];
  const pre: Preprocessing = {
    channelOrder: 'RGB',
    layout: 'NHWC',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    resize: opts.resize === 'fill' ? 'fill' : 'shorter-then-crop',
    resizeTo: size,
  };
  let done = 0;
  opts.onProgress?.(0, samples.length);
  await forEachLimit(
    samples,
    async (s, i) => {
      throwIfAborted(opts.signal, 'Loading the images');
      try {
        const img = await decodeImage(s.file, await readRegularFile(s.file, opts.maxFileBytes));
        // The same resize code as inference, so a trained model sees at test time what it saw in training.
        const px = await resizeForModel(img.image, img.width, img.height, pre, [size, size]);
        if (channels === 3) data.set(px.rgb, i * per);
        else toGrey(px.rgb, data, i * per);
        ok[i] = 1;
      } catch (e) {
        if (e instanceof StudioError && e.code === 'cancelled') throw e;
        const msg = errorReason(e);
        skipped.push({ file: s.file, reason: msg.startsWith(`${s.file}: `) ? msg.slice(s.file.length + 2) : msg });
      }
      opts.onProgress?.(++done, samples.length);
    },
    opts.concurrency,
  );
  throwIfAborted(opts.signal, 'Loading the images');
  // Close the gaps left by bad files, in place (no second copy of a block that may be gigabytes).
  const sourceIndex: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (!ok[i]) continue;
    const k = sourceIndex.length;
    if (k !== i) data.copyWithin(k * per, i * per, (i + 1) * per);
    sourceIndex.push(i);
  }
  const n = sourceIndex.length;
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    n,
    size,
    channels,
    data: n === samples.length ? data : data.subarray(0, n * per),
    labels: Int32Array.from(sourceIndex, (i) => samples[i].label),
    sourceIndex: Uint32Array.from(sourceIndex),
    skipped,
    fromDisk: false,
    key,
  };
}

/** ITU-R 601 luma with PIL's integer weights (convert('L')): grey stays exactly grey. */
function toGrey(rgb: Uint8Array, out: Uint8Array, at: number): void {
  for (let i = 0, j = 0; j < rgb.length; i++, j += 3)
    out[at + i] = (rgb[j] * 19595 + rgb[j + 1] * 38470 + rgb[j + 2] * 7471 + 0x8000) >>> 16;
}

async function cacheKey(samples: readonly Sample[], opts: CacheOptions): Promise<string> {
  const stamps = new Array<string>(samples.length);
  await forEachLimit(
    samples,
    async (s, i) => {
      const st = await fs.promises.stat(s.file).catch(() => null);
      stamps[i] = `${s.file}\0${s.label}\0${st ? `${st.mtimeMs}\0${st.size}` : 'missing'}\n`;
    },
    64,
  );
  const h = createHash('sha256').update(JSON.stringify([FORMAT_VERSION, opts.size, opts.channels, opts.resize]));
  for (const s of stamps) h.update(s);
  return h.digest('hex');
}

interface Header {
  version: number;
  key: string;
  n: number;
  size: number;
  channels: 1 | 3;
  skipped: Skipped[];
}

// File: "VSTC", u32 LE header length, JSON header, zero padding to 4 bytes, u32 LE sourceIndex[n], pixels.
async function writeCache(file: string, cache: TensorCache, opts: CacheOptions): Promise<undefined> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const header: Header = {
    version: FORMAT_VERSION,
    key: cache.key,
    n: cache.n,
    size: opts.size,
    channels: opts.channels,
    skipped: cache.skipped,
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(align4(8 + json.length));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 4);
  json.copy(head, 8);
  const index = Buffer.from(cache.sourceIndex.buffer, cache.sourceIndex.byteOffset, cache.sourceIndex.byteLength);
  // A temporary name then rename: a killed run never leaves a half-written file under the final name.
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.promises.open(tmp, 'w');
  try {
    for (const part of [head, index, cache.data]) await writeAll(fh, part);
    await fh.close();
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  return undefined;
}

async function readCache(file: string, key: string, samples: readonly Sample[], opts: CacheOptions): Promise<TensorCache | null> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const fileSize = (await fh.stat()).size;
    const pre = Buffer.alloc(8);
    await fh.read(pre, 0, 8, 0);
    const jsonLen = pre.readUInt32LE(4);
    if (pre.toString('latin1', 0, 4) !== MAGIC || jsonLen > 64 * 1024 ** 2) return null;
    const json = Buffer.alloc(jsonLen);
    await fh.read(json, 0, jsonLen, 8);
    const h = JSON.parse(json.toString()) as Header;
    const per = opts.size * opts.size * opts.channels;
    const start = align4(8 + jsonLen);
    const ok =
      h.version === FORMAT_VERSION && h.key === key && h.size === opts.size && h.channels === opts.channels && h.n <= samples.length;
    if (!ok || fileSize !== start + h.n * 4 + h.n * per) return null; // stale or cut short: decode again
    const sourceIndex = new Uint32Array(h.n);
    const data = new Uint8Array(h.n * per);
    await readAll(fh, new Uint8Array(sourceIndex.buffer), start);
    await readAll(fh, data, start + h.n * 4);
    if (sourceIndex.some((i) => i >= samples.length)) return null;
    return {
      n: h.n,
      size: opts.size,
      channels: opts.channels,
      data,
      labels: Int32Array.from(sourceIndex, (i) => samples[i].label),
      sourceIndex,
      skipped: h.skipped,
      fromDisk: true,
      key,
    };
  } catch {
    return null; // unreadable cache files are a miss, never an error
  } finally {
    await fh.close();
  }
}

const CHUNK = 1 << 30; // a single read/write call is limited to 2 GiB

async function writeAll(fh: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    const { bytesWritten } = await fh.write(bytes, at, Math.min(CHUNK, bytes.length - at));
    at += bytesWritten;
  }
}

async function readAll(fh: fs.promises.FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let at = 0; at < into.length;) {
    const { bytesRead } = await fh.read(into, at, Math.min(CHUNK, into.length - at), position + at);
    if (bytesRead === 0) throw new Error('cache file ended early');
    at += bytesRead;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
