// A stratified, seeded validation split: each class keeps its share, and the same seed always picks the same files.
import { seededRng } from '../../optim/rng';
import type { Sample, ScanResult } from './scan';

export interface SplitOptions {
  /** Share of each class held out for validation (default 0.2). */
  valFraction?: number;
  seed?: number;
}

export interface Split {
  train: Sample[];
  val: Sample[];
}

export function stratifiedSplit(samples: readonly Sample[], opts: SplitOptions = {}): Split {
  const fraction = opts.valFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`valFraction must be in [0, 1), got ${fraction}`);
  const seed = opts.seed ?? 0;
  const byClass = new Map<number, Sample[]>();
  for (const s of samples) {
    const list = byClass.get(s.label);
    if (list) list.push(s);
    else byClass.set(s.label, [s]);
  }
  const held = new Set<Sample>();
  for (const [label, list] of byClass) {
    const n = list.length;
    // At least one per class once a class has two images (so every class is measured), never the whole class.
    const k = n < 2 || fraction === 0 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    // Files sorted first and one stream per class: the split depends on the seed and the class's own files only,
    // not on input order or on other classes (adding a class does not reshuffle the others).
    const sorted = [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const rng = seededRng(mix(seed, label));
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.next() * (n - i)); // partial Fisher–Yates: the first k are a uniform sample
      [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
      held.add(sorted[i]);
    }
  }
  // Both halves keep the input order (class by class, as scanned).
  return { train: samples.filter((s) => !held.has(s)), val: samples.filter((s) => held.has(s)) };
}

/** The dataset's own val folder when it has one, else a stratified split of train. */
export function trainValSplit(scan: ScanResult, opts: SplitOptions = {}): Split {
  return scan.val ? { train: scan.train, val: scan.val } : stratifiedSplit(scan.train, opts);
}

function mix(seed: number, label: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(label + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.imul(h, 0x27d4eb2d) >>> 0;
}
