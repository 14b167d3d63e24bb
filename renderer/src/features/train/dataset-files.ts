// From dropped or picked files to what train.datasetAdd takes: the class of each file from its folder, the
// train/ and val/ split when the drop has one, and upload batches small enough for one message. Pure functions
// (no DOM beyond File) so the rules can be read in one place.
import { IMAGE_EXTENSIONS, extensionOf } from '../../lib/files/kinds';

export interface PathFile {
  /** Path relative to what was dropped or picked, '/'-separated ("pets/cat/a.jpg"). */
  path: string;
  file: File;
}

export interface Labelled {
  label: string;
  /** One path component, unique within its class. */
  name: string;
  file: File;
}

export interface Skipped {
  file: string;
  reason: string;
}

export interface Plan {
  /** Name for the managed dataset: the folder that was dropped, else "dataset". */
  name: string;
  layout: 'folders' | 'train-val';
  train: Labelled[];
  /** Files of val/ (train-val layout only). */
  val: Labelled[];
  skipped: Skipped[];
}

/** What one upload message may carry: at most this many files and about this many bytes. */
export const BATCH_FILES = 64;
export const BATCH_BYTES = 32 * 1024 * 1024;
/** The engine refuses larger files (main/train/datasets.ts MAX_UPLOAD_FILE). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const TRAIN = ['train', 'training'];
const VAL = ['val', 'valid', 'validation'];
const TEST = ['test', 'testing'];
const JUNK = new Set(['thumbs.db', 'desktop.ini', '__macosx']);

const isImage = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extensionOf(name));

/**
 * Decides the classes: a folder per class ("cat/a.jpg"), under any number of shared parent folders
 * ("pets/cat/a.jpg"), or train/ and val/ folders each holding the class folders.
 */
export function planDataset(files: PathFile[]): Plan {
  const skipped: Skipped[] = [];
  let rows: { parts: string[]; file: File; path: string }[] = [];
  for (const f of files) {
    const parts = f.path.split(/[\\/]/).filter(Boolean);
    if (parts.some((p) => p.startsWith('.') || JUNK.has(p.toLowerCase()))) continue; // hidden and system files, quietly
    if (!isImage(parts.at(-1) ?? '')) skipped.push({ file: f.path, reason: 'not an image (JPEG, PNG, WebP, GIF, TIFF or BMP)' });
    else if (f.file.size === 0) skipped.push({ file: f.path, reason: 'the file is empty' });
    else if (f.file.size > MAX_FILE_BYTES) skipped.push({ file: f.path, reason: 'larger than 64 MB' });
    else rows.push({ parts, file: f.file, path: f.path });
  }
  // Shared parent folders go: "pets/cat/a.jpg" -> "cat/a.jpg", while something below them is in a folder (a stray
  // "pets/notes.jpg" beside the class folders is then outside any class, not a reason to make "pets" the only class).
  let name = 'dataset';
  while (rows.length > 0 && rows.every((r) => r.parts[0] === rows[0].parts[0]) && rows.some((r) => r.parts.length >= 3)) {
    if (name === 'dataset') name = rows[0].parts[0];
    rows = rows.map((r) => ({ ...r, parts: r.parts.slice(1) }));
    for (const r of rows.filter((x) => x.parts.length < 2)) skipped.push({ file: r.path, reason: 'not inside a class folder' });
    rows = rows.filter((x) => x.parts.length >= 2);
  }
  const lower = (r: { parts: string[] }) => r.parts[0].toLowerCase();
  const split = rows.some((r) => TRAIN.includes(lower(r)) && r.parts.length >= 3);
  const train: Labelled[] = [];
  const val: Labelled[] = [];
  const used = new Map<string, Set<string>>();
  const add = (to: Labelled[], set: string, label: string, rest: string[], file: File) => {
    // Files in sub-folders of a class keep their sub-path in the name, so equal names do not collide.
    const key = `${set}/${label}`;
    const names = used.get(key) ?? new Set<string>();
    used.set(key, names);
    let n = rest.join('__');
    for (let i = 2; names.has(n.toLowerCase()); i++) n = `${i}-${rest.join('__')}`;
    names.add(n.toLowerCase());
    to.push({ label, name: n, file });
  };
  for (const r of rows) {
    if (split) {
      const top = lower(r);
      const into = TRAIN.includes(top) ? train : VAL.includes(top) ? val : null;
      if (TEST.includes(top)) skipped.push({ file: r.path, reason: 'in test/: a held-out test set is not used for training' });
      else if (!into) skipped.push({ file: r.path, reason: 'outside train/ and val/' });
      else if (r.parts.length < 3) skipped.push({ file: r.path, reason: `not inside a class folder of ${r.parts[0]}/` });
      else add(into, top, r.parts[1], r.parts.slice(2), r.file);
    } else if (r.parts.length < 2) skipped.push({ file: r.path, reason: 'not inside a class folder' });
    else add(train, '', r.parts[0], r.parts.slice(1), r.file);
  }
  return { name, layout: split ? 'train-val' : 'folders', train, val, skipped };
}

/** Upload batches: at most BATCH_FILES files and about BATCH_BYTES bytes each (a larger file goes alone). */
export function batches<T extends { file: File }>(files: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (cur.length > 0 && (cur.length >= BATCH_FILES || bytes + f.file.size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += f.file.size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

type Entry = FileSystemEntry;

/** Every file under the dropped entries, with its path from the dropped item (no cap below `max`). */
export async function walkEntries(entries: Entry[], max = 200_000): Promise<{ files: PathFile[]; truncated: boolean }> {
  const files: PathFile[] = [];
  let truncated = false;
  const visit = async (entry: Entry, prefix: string): Promise<void> => {
    if (files.length >= max) {
      truncated = true;
      return;
    }
    if (entry.name.startsWith('.')) return;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push({ path, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        // readEntries answers in chunks (100 in Chromium) until it answers nothing.
        const chunk = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (chunk.length === 0) break;
        for (const c of chunk) await visit(c, path);
      }
    }
  };
  for (const e of entries) await visit(e, '');
  return { files, truncated };
}

/** The entries of a drop, taken synchronously (the DataTransfer is readable only during the event). */
export function dropEntries(dt: DataTransfer): { entries: Entry[]; loose: File[] } {
  const entries: Entry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  return { entries, loose };
}
