// What a user should know before training: counts per class, imbalance, image sizes, duplicates (leaks between
// train and val, or one image under two labels), and files that will not decode. Nothing here is fatal.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { decodeImage, sniffFormat } from '../../image/decode';
import { StudioError } from '../../api/contract';
import { errorReason, forEachLimit, readRegularFile, throwIfAborted } from './io';
import type { Sample, ScanResult, Skipped } from './scan';

export interface ReportOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Decode every image fully (default), which catches truncated files; false reads headers only (faster). */
  verify?: boolean;
  maxFileBytes?: number;
  concurrency?: number;
}

export interface ClassCount {
  name: string;
  /** Usable images (bad files not counted). */
  train: number;
  val: number;
  bad: number;
}

export interface SizeStats {
  min: number;
  median: number;
  max: number;
}

export type SplitName = 'train' | 'val';

export interface DuplicateGroup {
  sha256: string;
  files: { file: string; split: SplitName; label: number }[];
  /** The same bytes in train and val: validation scores would be inflated. */
  crossSplit: boolean;
  /** The same bytes under two classes: at least one label is wrong. */
  crossClass: boolean;
}

export interface DatasetReport {
  classes: ClassCount[];
  /** Largest class over smallest (usable images); Infinity when a class has none; null without a val set. */
  imbalance: { train: number; val: number | null };
  width: SizeStats | null;
  height: SizeStats | null;
  duplicates: DuplicateGroup[];
  bad: Skipped[];
  /** What the scan left out (not images, hidden folders, ...), passed through so one report says everything. */
  skipped: Skipped[];
}

type Input = Pick<ScanResult, 'classes' | 'train' | 'skipped'> & { val: readonly Sample[] | null };

export async function datasetReport(scan: Input, opts: ReportOptions = {}): Promise<DatasetReport> {
  const items = [
    ...scan.train.map((s) => ({ ...s, split: 'train' as const })),
    ...(scan.val ?? []).map((s) => ({ ...s, split: 'val' as const })),
  ];
  const total = items.length;
  const dims: ({ w: number; h: number } | null)[] = new Array(total).fill(null);
  const hashes: (string | null)[] = new Array(total).fill(null);
  const bad: Skipped[] = [];
  let done = 0;
  opts.onProgress?.(0, total);
  await forEachLimit(
    items,
    async (item, i) => {
      throwIfAborted(opts.signal, 'The dataset report');
      try {
        const bytes = await readRegularFile(item.file, opts.maxFileBytes);
        hashes[i] = createHash('sha256').update(bytes).digest('hex');
        if (opts.verify === false) dims[i] = await headerSize(item.file, bytes);
        else {
          const img = await decodeImage(item.file, bytes); // the full decode: catches truncated bodies
          dims[i] = { w: img.width, h: img.height };
        }
      } catch (e) {
        hashes[i] = null;
        bad.push({ file: item.file, reason: reasonFor(item.file, e) });
      }
      opts.onProgress?.(++done, total);
    },
    opts.concurrency,
  );
  throwIfAborted(opts.signal, 'The dataset report');

  const classes: ClassCount[] = scan.classes.map((name) => ({ name, train: 0, val: 0, bad: 0 }));
  items.forEach((item, i) => {
    const c = classes[item.label];
    if (dims[i]) c[item.split]++;
    else c.bad++;
  });
  const ok = dims.filter((d) => d !== null);
  bad.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    classes,
    imbalance: { train: ratio(classes.map((c) => c.train)), val: scan.val ? ratio(classes.map((c) => c.val)) : null },
    width: stats(ok.map((d) => d.w)),
    height: stats(ok.map((d) => d.h)),
    duplicates: duplicates(items, hashes),
    bad,
    skipped: scan.skipped,
  };
}

/** Width and height from the header alone (sharp metadata, EXIF orientation applied), no pixel decoding. */
async function headerSize(file: string, bytes: Uint8Array): Promise<{ w: number; h: number }> {
  if (!sniffFormat(bytes)) throw new StudioError('bad_image', `${file}: not an image this studio can read.`);
  const meta = await sharp(bytes, { pages: 1, limitInputPixels: false }).metadata();
  const w = meta.autoOrient?.width ?? meta.width ?? 0;
  const h = meta.autoOrient?.height ?? meta.height ?? 0;
  if (!w || !h) throw new StudioError('bad_image', `${file}: the image has no pixels.`);
  return { w, h };
}

function reasonFor(file: string, e: unknown): string {
  const msg = errorReason(e);
  // decodeImage's messages start with the file name; the report lists the file beside the reason.
  return msg.startsWith(`${file}: `) ? msg.slice(file.length + 2) : msg;
}

function ratio(counts: number[]): number {
  if (counts.length === 0) return 1;
  const min = Math.min(...counts);
  return min === 0 ? Infinity : Math.max(...counts) / min;
}

function stats(values: number[]): SizeStats | null {
  if (values.length === 0) return null;
  const v = Float64Array.from(values).sort();
  const m = v.length >> 1;
  return { min: v[0], median: v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2, max: v[v.length - 1] };
}

function duplicates(items: { file: string; label: number; split: SplitName }[], hashes: (string | null)[]): DuplicateGroup[] {
  const groups = new Map<string, DuplicateGroup['files']>();
  items.forEach((item, i) => {
    const h = hashes[i];
    if (!h) return;
    const g = groups.get(h);
    const entry = { file: item.file, split: item.split, label: item.label };
    if (g) g.push(entry);
    else groups.set(h, [entry]);
  });
  const out: DuplicateGroup[] = [];
  for (const [sha256, files] of groups) {
    if (files.length < 2) continue;
    files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    out.push({
      sha256,
      files,
      crossSplit: files.some((f) => f.split !== files[0].split),
      crossClass: files.some((f) => f.label !== files[0].label),
    });
  }
  // The problems first (cross-class, then cross-split), then by first file.
  const rank = (g: DuplicateGroup) => (g.crossClass ? 0 : g.crossSplit ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b) || (a.files[0].file < b.files[0].file ? -1 : 1));
}
