// File reading and job plumbing shared by the dataset tools: one safe read, one small worker pool, one cancel check.
import fs from 'node:fs';
import os from 'node:os';
import { StudioError } from '../../api/contract';

/** Per-file cap checked before reading: a training photo over 64 MiB is a mistake (or a disk image named .jpg). */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new StudioError('cancelled', `${what} was cancelled.`);
}

/**
 * Reads a regular file of at most maxBytes. Opened non-blocking and checked with fstat on the open handle, so a FIFO
 * or device swapped in after a scan is refused instead of blocking the engine, and the size check reads what is opened.
 */
export async function readRegularFile(file: string, maxBytes = MAX_IMAGE_FILE_BYTES): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new StudioError('bad_image', `${file}: not a regular file.`);
    if (st.size > maxBytes) throw new StudioError('image_too_large', `${file}: larger than ${formatBytes(maxBytes)}.`);
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break; // shrank while reading: decode will call it truncated
      at += bytesRead;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Runs fn over items with at most `concurrency` in flight (sharp decodes on libuv's pool, so a few at once pay off). */
export async function forEachLimit<T>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<void>,
  concurrency = defaultConcurrency(),
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (e) {
        failed = true; // the others stop taking work; Promise.all reports this error
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** At least libuv's 4 pool threads' worth (sharp queues there), at most 16 images in memory at once. */
export function defaultConcurrency(): number {
  return Math.max(4, Math.min(16, os.availableParallelism()));
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** A StudioError's message, or the first line of anything else (the file name is added by the caller when missing). */
export function errorReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 240);
}
