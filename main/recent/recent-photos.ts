// The photos a person opened lately, in any tool, newest first, kept across restarts in $VISION_STUDIO_HOME/recent:
//   recent.json   the list (written atomically: a crash never leaves half a list)
//   <id>.webp     a thumbnail for the list
//   <id>.photo    a copy of the photo, only when its place on disk is unknown (browser mode hands over bytes, no path)
// An entry's id is the SHA-256 of the photo, so the same picture opened twice (or under two names) is one entry, and
// reopening checks the bytes: a photo deleted, moved or changed since is reported by name and dropped, never served.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { StudioError } from '../api/contract';
import { decodeImage, MAX_FILE_BYTES } from '../image/decode';
import { readJson, writeJsonAtomic } from '../models/store';
import { studioHome } from '../paths';

export const RECENT_LIMIT = 12;
/** Larger photos with no known path are not copied (a dozen of them would fill a small disk). */
export const MAX_COPY_BYTES = 64 * 1024 * 1024;
const THUMB_SIDE = 160;

const Entry = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1),
  /** Absolute path the photo was opened from (the desktop app knows it; browser mode does not). */
  path: z.string().optional(),
  sizeBytes: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Epoch milliseconds of the last time it was opened. */
  openedAt: z.number(),
});
export type RecentEntry = z.infer<typeof Entry>;

export type OpenResult =
  { ok: true; entry: RecentEntry; bytes: Uint8Array } | { ok: false; problem: 'missing' | 'changed' | 'unreadable'; message: string };

export const recentDir = (): string => path.join(studioHome(), 'recent');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class RecentPhotos {
  /** Writes are chained so two quick opens never interleave their read-modify-write of the list. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string = recentDir(),
    readonly limit: number = RECENT_LIMIT,
  ) {}

  private get indexFile(): string {
    return path.join(this.dir, 'recent.json');
  }
  thumbFile(id: string): string {
    return path.join(this.dir, `${id}.webp`);
  }
  copyFile(id: string): string {
    return path.join(this.dir, `${id}.photo`);
  }

  /** The list, newest first. A missing or corrupt recent.json is an empty list, not an error; entries without a thumbnail are left out. */
  list(): RecentEntry[] {
    const read = readJson(this.indexFile);
    if (!read.ok) return [];
    const parsed = z.object({ entries: z.array(z.unknown()) }).safeParse(read.value);
    if (!parsed.success) return [];
    return parsed.data.entries
      .flatMap((e) => {
        const r = Entry.safeParse(e);
        return r.success ? [r.data] : [];
      })
      .filter((e) => fs.existsSync(this.thumbFile(e.id)))
      .sort((a, b) => b.openedAt - a.openedAt);
  }

  thumbnail(id: string): Uint8Array | null {
    try {
      return new Uint8Array(fs.readFileSync(this.thumbFile(id)));
    } catch {
      return null;
    }
  }

  /**
   * Puts a photo at the top of the list. It must decode (a broken file never enters the list: the error names it);
   * an entry of the same content or the same path is replaced.
   */
  add(photo: { name: string; bytes: Uint8Array; path?: string }, now = Date.now()): Promise<RecentEntry[]> {
    return this.serial(async () => {
      const where = photo.path && path.isAbsolute(photo.path) ? path.normalize(photo.path) : undefined;
      if (!where && photo.bytes.byteLength > MAX_COPY_BYTES)
        throw new StudioError(
          'image_too_large',
          `${photo.name}: over ${MAX_COPY_BYTES >> 20} MB, so the studio keeps no copy of it among the recent photos.`,
        );
      const decoded = await decodeImage(photo.name, photo.bytes);
      const thumb = await decoded.image.clone().resize(THUMB_SIDE, THUMB_SIDE, { fit: 'cover' }).webp({ quality: 76 }).toBuffer();
      const id = sha256(photo.bytes);
      fs.mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(this.thumbFile(id), thumb);
      if (where) fs.rmSync(this.copyFile(id), { force: true });
      else if (!fs.existsSync(this.copyFile(id))) writeFileAtomic(this.copyFile(id), photo.bytes);
      const entry: RecentEntry = {
        id,
        name: path.basename(photo.name.replace(/\\/g, '/')) || photo.name,
        ...(where && { path: where }),
        sizeBytes: photo.bytes.byteLength,
        width: decoded.width,
        height: decoded.height,
        openedAt: now,
      };
      const rest = this.list().filter((e) => e.id !== id && (!where || e.path !== where));
      return this.save([entry, ...rest]);
    });
  }

  /** The photo's bytes, read from where it was opened (or the studio's copy), checked against its SHA-256. */
  open(id: string, now = Date.now()): Promise<OpenResult> {
    return this.serial(async () => {
      const entries = this.list();
      const entry = entries.find((e) => e.id === id);
      if (!entry) return { ok: false, problem: 'missing', message: 'That photo is no longer among the recent photos.' } as const;
      const read = readChecked(entry, entry.path ?? this.copyFile(id));
      if (!read.ok) {
        this.save(entries.filter((e) => e.id !== id));
        return read;
      }
      this.save([{ ...entry, openedAt: now }, ...entries.filter((e) => e.id !== id)]);
      return { ok: true, entry: { ...entry, openedAt: now }, bytes: read.bytes } as const;
    });
  }

  remove(id: string): Promise<RecentEntry[]> {
    return this.serial(async () => this.save(this.list().filter((e) => e.id !== id)));
  }

  /** Writes the list (newest `limit` entries) and deletes every file no entry refers to. */
  private save(entries: RecentEntry[]): RecentEntry[] {
    const kept = entries.slice(0, this.limit);
    writeJsonAtomic(this.indexFile, { version: 1, entries: kept });
    const wanted = new Set(kept.flatMap((e) => [`${e.id}.webp`, ...(e.path ? [] : [`${e.id}.photo`])]));
    for (const f of fs.readdirSync(this.dir)) {
      if (f !== 'recent.json' && !wanted.has(f) && !f.endsWith('.tmp')) fs.rmSync(path.join(this.dir, f), { force: true });
    }
    return kept;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Reads a recent photo's file and checks it is still the photo that was opened. */
function readChecked(entry: RecentEntry, file: string): { ok: true; bytes: Uint8Array } | Extract<OpenResult, { ok: false }> {
  const where = entry.path ? `${entry.name} (${entry.path})` : `${entry.name} (the studio's copy in ${path.dirname(file)})`;
  let bytes: Uint8Array;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    if (st.size > MAX_FILE_BYTES)
      return {
        ok: false,
        problem: 'changed',
        message: `${where} has changed since it was opened: it is now over ${MAX_FILE_BYTES >> 20} MB. Removed from recent photos.`,
      };
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return {
        ok: false,
        problem: 'missing',
        message: `${where} is gone: it was deleted or moved since it was opened. Removed from recent photos.`,
      };
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (e instanceof Error ? e.message : String(e)));
    return { ok: false, problem: 'unreadable', message: `${where} cannot be read (${why}). Removed from recent photos.` };
  }
  if (sha256(bytes) !== entry.id)
    return {
      ok: false,
      problem: 'changed',
      message: `${where} has changed since it was opened. Open it again to use the new version; removed from recent photos.`,
    };
  return { ok: true, bytes };
}

function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
