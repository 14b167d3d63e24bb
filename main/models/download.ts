// Resumable, verified model downloads. Bytes go to `<dest>.part`; only a file whose sha256 matches is renamed to `dest`,
// so a half-written or corrupt model is never loadable. An interrupted transfer resumes with an HTTP Range request,
// both within one call (automatic retries) and across calls (the .part file is kept on failure and on cancel).
// Only https, on the first URL and on every redirect (a redirect to http is refused, never followed), and the body is
// cut at the expected size: a server sending more gets an error, not a bigger file on disk.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StudioError } from '../api/contract';

export interface DownloadOptions {
  url: string;
  dest: string;
  sha256?: string;
  sizeBytes?: number;
  signal?: AbortSignal;
  /** Called at most every ~100 ms and once at the end; `total` is null when the size is unknown. */
  onProgress?: (received: number, total: number | null) => void;
  /** Attempts after a dropped connection or a 5xx, counted from the last attempt that made progress. Default 3. */
  retries?: number;
  retryDelayMs?: number;
  /** A connection idle this long is dropped and retried. Default 30 s. */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** The transfer continued from bytes already on disk. */
  resumed: boolean;
}

const MAX_REDIRECTS = 8;
/** With no expected size (never the case for catalog entries), the protobuf limit of one ONNX file. */
const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
/**
 * Test-only: with this set to 1, plain http is allowed to 127.0.0.1 (the tests' local server) and nowhere else.
 * Nothing in the app sets it; https is the only scheme otherwise.
 */
export const TEST_HTTP_LOOPBACK_ENV = 'VISION_STUDIO_TEST_HTTP_LOOPBACK';

/** Why `url` may not be fetched, or null. */
export function urlProblem(url: URL): string | null {
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && url.hostname === '127.0.0.1' && process.env[TEST_HTTP_LOOPBACK_ENV] === '1') return null;
  return `only https downloads are allowed, not ${url.protocol.replace(/:$/, '')} (${url.host || url.href})`;
}
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED', 'idle']);

class Retryable extends Error {}

/** Downloads `url` to `dest`; see the file comment. Throws StudioError (download_failed, checksum_mismatch, cancelled, disk_full). */
export async function downloadModel(opts: DownloadOptions): Promise<DownloadResult> {
  const { dest, signal } = opts;
  const part = `${dest}.part`;
  const name = path.basename(dest);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  let resumed = false;
  let failuresInARow = 0;
  const retries = opts.retries ?? 3;

  for (;;) {
    if (signal?.aborted) throw cancelled(name);
    let offset = sizeOf(part);
    if (opts.sizeBytes !== undefined && offset > opts.sizeBytes) offset = truncate(part);
    if (offset > 0) resumed = true;
    const complete = opts.sizeBytes !== undefined && offset === opts.sizeBytes;
    try {
      if (!complete) await attempt(opts, part, offset);
      break;
    } catch (e) {
      if (signal?.aborted) throw cancelled(name);
      if (!(e instanceof Retryable)) throw classify(e, opts.url, name);
      if (sizeOf(part) > offset) failuresInARow = 0; // progress was made: a flaky link may still finish
      if (++failuresInARow > retries)
        throw new StudioError('download_failed', `${name}: download from ${host(opts.url)} failed: ${e.message}`);
      await sleep((opts.retryDelayMs ?? 500) * failuresInARow, signal).catch(() => undefined);
    }
  }
  return verifyAndCommit(opts, part, name, resumed);
}

/** One HTTP exchange: appends to `part` from `offset` (or rewrites it when the server ignores Range). */
async function attempt(opts: DownloadOptions, part: string, offset: number): Promise<void> {
  const headers: Record<string, string> = { 'user-agent': 'vision-studio', 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const res = await get(parseUrl(opts.url, path.basename(opts.dest)), headers, opts, MAX_REDIRECTS);
  const status = res.statusCode ?? 0;
  let start = offset;
  if (status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== offset) {
      res.resume();
      truncate(part);
      throw new Retryable('server answered the resume request with a different range');
    }
  } else if (status === 200) {
    start = 0; // No Range support (or no Range sent): the body is the whole file, start over.
  } else if (status === 416) {
    res.resume();
    const total = Number(/\/(\d+)/.exec(String(res.headers['content-range'] ?? ''))?.[1]);
    if (total === offset) return; // .part already holds the whole file
    truncate(part);
    throw new Retryable('server refused the resume range');
  } else {
    res.resume();
    const msg = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} from ${host(opts.url)}`;
    if (status >= 500 || status === 429) throw new Retryable(msg);
    throw new StudioError('download_failed', `${path.basename(opts.dest)}: download failed: ${msg}`);
  }

  const length = Number(res.headers['content-length']);
  const total = opts.sizeBytes ?? (Number.isFinite(length) && res.headers['content-length'] !== undefined ? start + length : null);
  // Stop at the expected size: refuse an announced overflow before reading, cut an unannounced one at the limit.
  const limit = opts.sizeBytes ?? MAX_DOWNLOAD_BYTES;
  const tooBig = () => {
    fs.rmSync(part, { force: true });
    return new StudioError(
      'download_failed',
      `${path.basename(opts.dest)}: ${host(opts.url)} sent more than the expected ${limit} bytes; the partial file was deleted`,
    );
  };
  if (Number.isFinite(length) && start + length > limit) {
    res.destroy();
    throw tooBig();
  }
  let received = start;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (force || now - lastReport >= 100) {
      lastReport = now;
      opts.onProgress?.(received, total);
    }
  };
  // Progress counts bytes once they are written, so an abort never reports more than the .part holds.
  const fd = fs.openSync(part, start === 0 ? 'w' : 'a');
  let overflow = false;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (received + chunk.length > limit) {
        overflow = true;
        return cb(new Error('overflow'));
      }
      fs.write(fd, chunk, (err) => {
        if (!err) {
          received += chunk.length;
          report(false);
        }
        cb(err);
      });
    },
    destroy(err, cb) {
      fs.close(fd, () => cb(err));
    },
  });
  const idle = opts.idleTimeoutMs ?? 30_000;
  res.setTimeout(idle, () => res.destroy(Object.assign(new Error(`no data for ${idle / 1000} s`), { code: 'idle' })));
  try {
    await pipeline(res, sink);
  } catch (e) {
    report(true);
    if (overflow) throw tooBig();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'idle') throw new Retryable(`${err.message} after ${received} bytes`);
    if ((err.code && RETRYABLE_CODES.has(err.code)) || (err.message === 'aborted' && !opts.signal?.aborted))
      throw new Retryable(`connection dropped after ${received} bytes (${err.code ?? err.message})`);
    throw e;
  }
  report(true);
  if (res.headers['content-length'] !== undefined && received - start < length)
    throw new Retryable(`connection closed after ${received} bytes`);
}

/** GET with redirects followed (GitHub serves LFS files through redirects to media hosts). */
function get(url: URL, headers: Record<string, string>, opts: DownloadOptions, redirectsLeft: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const refused = urlProblem(url);
    if (refused) return reject(new StudioError('download_failed', `${path.basename(opts.dest)}: ${refused}`));
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { headers, signal: opts.signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (redirectsLeft <= 0) return reject(new StudioError('download_failed', `too many redirects from ${url.host}`));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return reject(new StudioError('download_failed', `${path.basename(opts.dest)}: ${url.host} redirected to an invalid URL`));
        }
        // Never downgraded: once on https, a redirect to anything else is refused (urlProblem checks the rest).
        if (url.protocol === 'https:' && next.protocol !== 'https:')
          return reject(
            new StudioError(
              'download_failed',
              `${path.basename(opts.dest)}: ${url.host} redirected to ${next.protocol}//${next.host}, refused (https only)`,
            ),
          );
        return resolve(get(next, headers, opts, redirectsLeft - 1));
      }
      resolve(res);
    });
    req.setTimeout(opts.idleTimeoutMs ?? 30_000, () =>
      req.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code && RETRYABLE_CODES.has(e.code) ? new Retryable(`${e.message} (${e.code})`) : e),
    );
  });
}

async function verifyAndCommit(opts: DownloadOptions, part: string, name: string, resumed: boolean): Promise<DownloadResult> {
  const bytes = sizeOf(part);
  // Hash what is really on disk: resumed prefixes included, nothing trusted from memory.
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(part), hash);
  const sha256 = hash.digest('hex');
  const expected = opts.sha256?.toLowerCase();
  if ((expected && sha256 !== expected) || (opts.sizeBytes !== undefined && bytes !== opts.sizeBytes)) {
    fs.rmSync(part, { force: true });
    const what =
      expected && sha256 !== expected
        ? `sha256 ${sha256.slice(0, 12)}… instead of ${expected.slice(0, 12)}…`
        : `${bytes} bytes instead of ${opts.sizeBytes}`;
    throw new StudioError('checksum_mismatch', `${name}: downloaded file has ${what}; it was deleted, not loaded`);
  }
  fs.renameSync(part, opts.dest);
  return { path: opts.dest, bytes, sha256, resumed };
}

function parseUrl(url: string, name: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new StudioError('download_failed', `${name}: not a valid URL (${url.slice(0, 200)})`);
  }
}

function classify(e: unknown, url: string, name: string): StudioError {
  if (e instanceof StudioError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  if (code === 'ENOSPC')
    return new StudioError('disk_full', `${name}: the disk is full; free some space and pull again (the partial download is kept)`);
  if (OFFLINE_CODES.has(code))
    return new StudioError('download_failed', `${name}: cannot reach ${host(url)} (${code}); this machine seems to be offline`);
  if (code === 'ECONNREFUSED') return new StudioError('download_failed', `${name}: ${host(url)} refused the connection (ECONNREFUSED)`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new StudioError('download_failed', `${name}: cannot write ${err.path ?? 'the model file'} (${code})`);
  return new StudioError('download_failed', `${name}: download from ${host(url)} failed: ${err.message ?? String(e)}`);
}

const cancelled = (name: string) => new StudioError('cancelled', `${name}: download cancelled (the partial file is kept to resume later)`);

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function truncate(file: string): number {
  fs.rmSync(file, { force: true });
  return 0;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
  });
}
