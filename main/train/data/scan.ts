// Finds the classes and images of a dataset on disk without reading any image: folder per class, or train/ + val/.
// Nothing here opens a file: entries are typed by readdir/lstat first, so FIFOs, sockets and devices are never touched.
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../api/contract';
import { MAX_IMAGE_FILE_BYTES, forEachLimit, formatBytes, throwIfAborted } from './io';

export interface Sample {
  file: string;
  /** Index into `classes`. */
  label: number;
}

export interface Skipped {
  file: string;
  reason: string;
}

export type DatasetLayout = 'class-folders' | 'train-val' | 'separate-val';

export interface ScanResult {
  root: string;
  layout: DatasetLayout;
  /** Sorted by name: the class index is the position here (torchvision ImageFolder's convention). */
  classes: string[];
  train: Sample[];
  /** null when the dataset has no validation folder (split.ts makes one). */
  val: Sample[] | null;
  skipped: Skipped[];
}

export interface ScanOptions {
  /** A separate folder of class folders to validate on. */
  val?: string;
  maxFileBytes?: number;
  /** Refuse folders with more files than this (pointing at a home folder by mistake should fail fast, not walk it). */
  maxFiles?: number;
  signal?: AbortSignal;
}

export const MAX_DATASET_FILES = 1_000_000;
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp']);
const JUNK = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', '__macosx', '$recycle.bin', 'system volume information']);
const TRAIN_NAMES = ['train', 'training'];
const VAL_NAMES = ['val', 'valid', 'validation'];
const TEST_NAMES = ['test', 'testing'];
const MAX_DEPTH = 32;

/** Code-point order, as Python's sorted() (so class indices match a torchvision ImageFolder on the same folder). */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n;) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

export async function scanDataset(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const walker = new Walker(opts);
  const rootDir = await walker.openRoot(root);
  const realRoot = await fs.promises.realpath(rootDir);
  const top = await walker.dirs(rootDir, realRoot);
  const find = (names: string[]) => top.find((d) => names.includes(d.name.toLowerCase()));
  const trainDir = find(TRAIN_NAMES);
  // A `train` folder holding folders is the train/val convention; holding images, it is a class named "train".
  const split = trainDir !== undefined && (await walker.dirs(trainDir.path, realRoot)).length > 0;
  const valOpt = opts.val ? await walker.openRoot(opts.val) : null;
  const valSplit = split && !valOpt ? find(VAL_NAMES) : undefined;

  let trainRoot = rootDir;
  if (split) {
    trainRoot = trainDir.path;
    for (const d of top) {
      if (d === trainDir || d === valSplit) continue;
      const name = d.name.toLowerCase();
      const why = TEST_NAMES.includes(name)
        ? 'a held-out test set: not used for training or validation'
        : VAL_NAMES.includes(name) && valOpt
          ? 'a validation folder was given separately'
          : 'not a train/ or val/ folder: ignored';
      walker.skip(d.path, why);
    }
  }
  const valRoot = valOpt ?? valSplit?.path ?? null;
  const exclude = valRoot ? await realpathOrNull(valRoot) : null;

  const trainClasses = await walker.classFolders(trainRoot, realRoot, exclude);
  const classes = [...trainClasses.keys()].filter((c) => {
    if (trainClasses.get(c)!.files.length > 0) return true;
    walker.skip(trainClasses.get(c)!.dir, 'no images in this folder: not a class');
    return false;
  });
  classes.sort(compareNames);
  if (classes.length === 0) {
    throw new StudioError(
      'bad_request',
      `${root}: no class folders with images found. Expected a folder per class (${path.join(root, 'cat', '*.jpg')}, ` +
        `${path.join(root, 'dog', '*.jpg')}), or train/ and val/ folders holding them.`,
    );
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const train = classes.flatMap((c, label) => trainClasses.get(c)!.files.map((file) => ({ file, label })));

  let val: Sample[] | null = null;
  if (valRoot) {
    val = [];
    const valClasses = await walker.classFolders(valRoot, valOpt ? await fs.promises.realpath(valOpt) : realRoot, null);
    for (const c of [...valClasses.keys()].sort(compareNames)) {
      const { dir, files } = valClasses.get(c)!;
      const label = index.get(c);
      if (label === undefined) {
        if (files.length) walker.skip(dir, `class "${c}" is not among the training classes`);
        continue;
      }
      for (const file of files) val.push({ file, label });
    }
  }
  return {
    root: path.resolve(root),
    layout: valOpt ? 'separate-val' : split ? 'train-val' : 'class-folders',
    classes,
    train,
    val,
    skipped: walker.skipped,
  };
}

interface DirEntry {
  name: string;
  path: string;
}

class Walker {
  readonly skipped: Skipped[] = [];
  private files = 0;
  private readonly maxFiles: number;
  private readonly maxBytes: number;
  /** Real path of the folder the user chose: symlinks must resolve inside it. */
  private realRoot = '';

  constructor(private readonly opts: ScanOptions) {
    this.maxFiles = opts.maxFiles ?? MAX_DATASET_FILES;
    this.maxBytes = opts.maxFileBytes ?? MAX_IMAGE_FILE_BYTES;
  }

  skip(file: string, reason: string): void {
    this.skipped.push({ file, reason });
  }

  async openRoot(dir: string): Promise<string> {
    const abs = path.resolve(dir);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(abs);
    } catch {
      throw new StudioError('not_found', `${abs}: no such folder.`);
    }
    if (!st.isDirectory()) throw new StudioError('bad_request', `${abs}: not a folder.`);
    return abs;
  }

  /** Visible sub-folders of dir (following symlinks that stay inside the tree), sorted. */
  async dirs(dir: string, realRoot: string): Promise<DirEntry[]> {
    this.realRoot = realRoot;
    const out: DirEntry[] = [];
    for (const d of await fs.promises.readdir(dir, { withFileTypes: true })) {
      if (isHiddenOrJunk(d.name)) continue;
      const p = path.join(dir, d.name);
      if (d.isDirectory() || (d.isSymbolicLink() && (await this.resolveLink(p, false))?.isDirectory())) out.push({ name: d.name, path: p });
    }
    return out.sort((a, b) => compareNames(a.name, b.name));
  }

  /** Class name -> image files (recursively, sorted) for each visible sub-folder of root; loose files are skipped. */
  async classFolders(root: string, realRoot: string, exclude: string | null): Promise<Map<string, { dir: string; files: string[] }>> {
    this.realRoot = realRoot;
    const out = new Map<string, { dir: string; files: string[] }>();
    const seen = new Set<string>([await fs.promises.realpath(root)]);
    for (const d of await fs.promises.readdir(root, { withFileTypes: true })) {
      const p = path.join(root, d.name);
      const kind = await this.kind(d, p);
      if (kind === 'dir') {
        if (exclude && (await realpathOrNull(p)) === exclude) continue; // the val folder inside a class-folders root
        const files: string[] = [];
        await this.collect(p, files, 1, seen);
        out.set(d.name, { dir: p, files: files.sort() }); // any fixed order will do for files: the fast one
      } else if (kind === 'file') {
        this.count(root);
        this.skip(p, 'not inside a class folder');
      }
    }
    return out;
  }

  private async collect(dir: string, files: string[], depth: number, seen: Set<string>): Promise<void> {
    throwIfAborted(this.opts.signal, 'Scanning the dataset');
    const real = await fs.promises.realpath(dir);
    if (seen.has(real)) return this.skip(dir, 'the same folder as one already scanned (a symlink to it)');
    seen.add(real);
    if (depth > MAX_DEPTH) return this.skip(dir, `nested more than ${MAX_DEPTH} folders deep`);
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    const subdirs: string[] = [];
    await forEachLimit(
      entries,
      async (d) => {
        const p = path.join(dir, d.name);
        const kind = await this.kind(d, p);
        if (kind === 'dir') subdirs.push(p);
        else if (kind === 'file') files.push(p);
      },
      64,
    );
    for (const sub of subdirs.sort(compareNames)) await this.collect(sub, files, depth + 1, seen);
  }

  /** What an entry is, skipping (with a reason) anything that is not a usable image file or a folder. */
  private async kind(d: fs.Dirent, p: string): Promise<'dir' | 'file' | null> {
    if (isHiddenOrJunk(d.name)) {
      if (d.isDirectory() && d.name.startsWith('.')) this.skip(p, 'hidden folder');
      return null;
    }
    let st: fs.Stats | null;
    if (d.isSymbolicLink()) {
      st = await this.resolveLink(p, true);
      if (!st) return null;
    } else if (d.isDirectory()) {
      return 'dir';
    } else if (d.isFile()) {
      st = await fs.promises.lstat(p);
    } else {
      this.count(p);
      this.skip(p, `not a regular file (${special(d)})`);
      return null;
    }
    if (st.isDirectory()) return 'dir';
    this.count(p);
    if (!st.isFile()) return (this.skip(p, `not a regular file (${special(st)})`), null);
    const ext = path.extname(d.name).toLowerCase();
    if (!IMAGE_EXTENSIONS.has(ext)) return (this.skip(p, ext ? `not an image file (${ext})` : 'not an image file (no extension)'), null);
    if (st.size === 0) return (this.skip(p, 'empty file (0 bytes)'), null);
    if (st.size > this.maxBytes) return (this.skip(p, `larger than ${formatBytes(this.maxBytes)} (${formatBytes(st.size)})`), null);
    return 'file';
  }

  /** stat() of a symlink's target, or null (skipped) when it is broken or resolves outside the tree. */
  private async resolveLink(p: string, report: boolean): Promise<fs.Stats | null> {
    const real = await realpathOrNull(p);
    if (!real) return report ? (this.skip(p, 'broken symlink'), null) : null;
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
      return report ? (this.skip(p, 'symlink pointing outside the dataset folder: refused'), null) : null;
    }
    return fs.promises.stat(real);
  }

  private count(p: string): void {
    if (++this.files > this.maxFiles) {
      throw new StudioError(
        'bad_request',
        `${p}: more than ${this.maxFiles.toLocaleString('en-US')} files in this dataset. Pick the dataset's own folder ` +
          '(one folder per class), or split it into smaller datasets.',
      );
    }
  }
}

function isHiddenOrJunk(name: string): boolean {
  return name.startsWith('.') || JUNK.has(name.toLowerCase());
}

function special(d: fs.Dirent | fs.Stats): string {
  if (d.isFIFO()) return 'FIFO';
  if (d.isSocket()) return 'socket';
  if (d.isCharacterDevice() || d.isBlockDevice()) return 'device';
  return 'unknown type';
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.promises.realpath(p);
  } catch {
    return null;
  }
}
