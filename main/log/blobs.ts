// Content-addressed files beside the database: <dir>/ab/abcdef... named by the SHA-256 of their bytes, so equal
// images are stored once and a file's name proves its content. Written to a temp file, fsynced, then renamed,
// so a kill never leaves a half-written blob under its final name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface BlobRef {
  sha256: string;
  /** Relative to the blob folder: 'ab/abcdef...'. */
  path: string;
  size: number;
}

export class BlobStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  }

  static hash(bytes: Uint8Array): string {
    return crypto.createHash('sha256').update(bytes).digest('hex');
  }

  relPath(sha256: string): string {
    return `${sha256.slice(0, 2)}/${sha256}`;
  }

  put(bytes: Uint8Array, sha256 = BlobStore.hash(bytes)): BlobRef {
    const rel = this.relPath(sha256);
    const final = path.join(this.dir, rel);
    const ref = { sha256, path: rel, size: bytes.length };
    if (fs.existsSync(final)) return ref;
    fs.mkdirSync(path.dirname(final), { recursive: true });
    const tmp = path.join(this.dir, 'tmp', `${sha256}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        // writeSync may write less than asked (a file-size limit, a nearly full disk): loop, so the next call
        // fails with the real error (ENOSPC/EFBIG) instead of a truncated blob being renamed into place.
        for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, final);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    syncDir(path.dirname(final));
    return ref;
  }

  read(sha256: string): Uint8Array {
    return new Uint8Array(fs.readFileSync(path.join(this.dir, this.relPath(sha256))));
  }

  has(sha256: string): boolean {
    return fs.existsSync(path.join(this.dir, this.relPath(sha256)));
  }

  remove(sha256: string): void {
    fs.rmSync(path.join(this.dir, this.relPath(sha256)), { force: true });
  }

  /** Leftovers of writes interrupted by a kill (an hour old, so a write in progress in another process is spared). */
  clearTemp(now = Date.now()): void {
    const tmp = path.join(this.dir, 'tmp');
    for (const f of fs.readdirSync(tmp)) {
      const p = path.join(tmp, f);
      if (now - (fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? now) > 3_600_000) fs.rmSync(p, { force: true });
    }
  }
}

/** Makes a rename durable (POSIX); directories cannot be opened for sync on Windows, where rename is durable enough. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
