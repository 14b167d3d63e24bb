// Reading files the studio did not write (labels, sidecars, models): regular files only and sizes checked before
// a byte is read. The file is opened non-blocking and checked on its descriptor, so a FIFO or device never blocks
// the engine (a FIFO opens at once with O_NONBLOCK) and a swap between a check and the read changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { StudioError, type ErrorCode } from '../api/contract';

/** One labels line per class: 8 MiB holds ~100k long class names. */
export const MAX_LABELS_BYTES = 8 * 1024 * 1024;
/** Sidecars are a few KB of JSON. */
export const MAX_SIDECAR_BYTES = 1024 * 1024;
/** Protobuf's limit for one ONNX file; bigger models keep their weights in external data. */
export const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024;
/** One external data file of an imported model (ViT-H/14's weights are ~2.5 GB). */
export const MAX_EXTERNAL_BYTES = 16 * 1024 * 1024 * 1024;

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0; // absent on Windows, which has no FIFOs in the file system

export interface ReadLimits {
  maxBytes: number;
  /** Names the file in errors ("labels file x.txt"). */
  what: string;
  code?: ErrorCode;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;

/** Opens `file` for reading after checking it is a regular file within the limit; the caller closes the fd. */
export function openRegular(file: string, { maxBytes, what, code = 'bad_request' }: ReadLimits): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    throw new StudioError('not_found', `${what}: ${c === 'ENOENT' ? 'not found' : `cannot be read (${c ?? (e as Error).message})`}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StudioError(code, `${what}: not a regular file (${kind(st)})`);
    if (st.size > maxBytes) throw new StudioError(code, `${what}: ${mb(st.size)}, over the ${mb(maxBytes)} limit`);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

export function readRegularFile(file: string, limits: ReadLimits): Buffer {
  const { fd, size } = openRegular(file, limits);
  try {
    const out = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, out, off, size - off, off);
      if (n === 0) break; // shrank while we read
      off += n;
    }
    return out.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies a regular file within the limit to `dest` (no FIFO, no device, no unbounded read). */
export async function copyRegularFile(src: string, dest: string, limits: ReadLimits): Promise<void> {
  const { fd, size } = openRegular(src, limits);
  try {
    const out = fs.openSync(dest, 'w', 0o644);
    try {
      const buf = Buffer.alloc(Math.min(size, 8 * 1024 * 1024) || 1);
      for (let off = 0; off < size;) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - off), off);
        if (n === 0) break;
        fs.writeSync(out, buf, 0, n);
        off += n;
        await new Promise<void>((r) => setImmediate(r)); // keep the engine answering during a big copy
      }
    } finally {
      fs.closeSync(out);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether `file` exists and, symlinks resolved, lies inside `dir`. */
export function isInside(dir: string, file: string): boolean {
  try {
    const d = fs.realpathSync(dir);
    return fs.realpathSync(file).startsWith(d.endsWith(path.sep) ? d : d + path.sep);
  } catch {
    return false;
  }
}

/** Whether `file` is a regular file (stat follows symlinks; a FIFO, device, folder or dangling link is not). */
export function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false; // missing, dangling, a symlink loop, unreadable
  }
}

function kind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}
