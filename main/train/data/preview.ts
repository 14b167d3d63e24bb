// A few augmented variants of one training image, as RGB pixels, so the user can see what the model will be shown.
import { seededRng } from '../../optim/rng';
import { augmentImage, type AugmentParams } from './augment';
import type { ImageSet } from './cache';

export interface PreviewOptions extends AugmentParams {
  /** Same seed, same grid. */
  seed?: number;
}

export interface PreviewImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major (grey images are repeated over the three channels). */
  rgb: Uint8Array;
}

export function augmentPreview(set: ImageSet, index: number, n: number, opts: PreviewOptions): PreviewImage[] {
  if (!(index >= 0 && index < set.n)) throw new RangeError(`image index ${index} is outside 0..${set.n - 1}`);
  const { size: S, channels: C } = set;
  const plane = S * S;
  const rng = seededRng(opts.seed ?? 0);
  const chw = new Float32Array(C * plane);
  const out: PreviewImage[] = [];
  for (let k = 0; k < n; k++) {
    augmentImage(set, index, chw, 0, opts, rng);
    const rgb = new Uint8ClampedArray(plane * 3); // rounds and clamps on store
    for (let c = 0; c < 3; c++) {
      const from = (C === 1 ? 0 : c) * plane;
      for (let i = 0; i < plane; i++) rgb[i * 3 + c] = chw[from + i];
    }
    out.push({ width: S, height: S, rgb: new Uint8Array(rgb.buffer) });
  }
  return out;
}
