import { describe, expect, it } from 'vitest';
import { makeBatch, randomResizedCrop, type Augmentation, type BatchOptions } from '../../../../main/train/data/augment';
import type { ImageSet } from '../../../../main/train/data/cache';
import { seededRng } from '../../../../main/optim/rng';

function randomSet(n: number, size: number, channels: 1 | 3, seed = 1): ImageSet {
  const rng = seededRng(seed);
  const data = new Uint8Array(n * size * size * channels).map(() => rng.int(0, 255));
  return { n, size, channels, data, labels: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

function constantSet(size: number, rgb: number[]): ImageSet {
  const C = rgb.length as 1 | 3;
  const data = new Uint8Array(size * size * C).map((_, i) => rgb[i % C]);
  return { n: 1, size, channels: C, data, labels: new Int32Array(1) };
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const opts = (augment: Augmentation[], seed = 1, extra: Partial<BatchOptions> = {}): BatchOptions => ({
  augment: new Set(augment),
  mean: MEAN,
  std: STD,
  rng: seededRng(seed),
  ...extra,
});
/** The un-augmented, normalised value of pixel (x, y), channel c, of image i. */
const plain = (set: ImageSet, i: number, x: number, y: number, c: number) =>
  Math.fround((set.data[((i * set.size + y) * set.size + x) * set.channels + c] / 255 - MEAN[c]) / STD[c]);

describe('makeBatch', () => {
  const set = randomSet(8, 6, 3);
  const S = 6;
  const at = (b: number, c: number, x: number, y: number) => ((b * 3 + c) * S + y) * S + x;

  it('without augmentation: CHW planes of (pixel / 255 - mean) / std, and int64 labels', () => {
    const { x, labels } = makeBatch(set, [3, 0], opts([]));
    expect(x.length).toBe(2 * 3 * S * S);
    expect(Array.from(labels)).toEqual([0n, 0n]);
    for (const [b, i] of [
      [0, 3],
      [1, 0],
    ]) {
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < S; y++) for (let xx = 0; xx < S; xx++) expect(x[at(b, c, xx, y)]).toBeCloseTo(plain(set, i, xx, y, c), 5);
    }
    expect(Array.from(makeBatch(set, [1, 2, 5], opts([])).labels)).toEqual([1n, 2n, 2n]);
  });

  it('maps 0 and 255 to -mean/std and (1 - mean)/std', () => {
    const black = makeBatch(constantSet(4, [0, 0, 0]), [0], opts([])).x;
    const white = makeBatch(constantSet(4, [255, 255, 255]), [0], opts([])).x;
    for (let c = 0; c < 3; c++) {
      expect(black[c * 16 + 5]).toBeCloseTo(-MEAN[c] / STD[c], 6);
      expect(white[c * 16 + 5]).toBeCloseTo((1 - MEAN[c]) / STD[c], 6);
    }
    const grey = makeBatch(constantSet(4, [255]), [0], { ...opts([]), mean: [0.5], std: [0.5] }).x;
    expect(grey[0]).toBeCloseTo(1, 6);
  });

  it('flip mirrors the pixels exactly, about half of the time', () => {
    const idx = Array.from({ length: 64 }, (_, i) => i % 8);
    const { x } = makeBatch(set, idx, opts(['flip'], 5));
    let flipped = 0;
    for (let b = 0; b < idx.length; b++) {
      const mirrored = x[at(b, 0, 0, 0)] !== plain(set, idx[b], 0, 0, 0);
      flipped += +mirrored;
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < S; y++) {
          for (let xx = 0; xx < S; xx++) expect(x[at(b, c, xx, y)]).toBe(plain(set, idx[b], mirrored ? S - 1 - xx : xx, y, c));
        }
      }
    }
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
  });

  it('crop and rotate keep the shape and the value range', () => {
    const { x } = makeBatch(set, [0, 1, 2, 3], opts(['crop', 'rotate', 'flip']));
    expect(x.length).toBe(4 * 3 * S * S);
    for (let b = 0; b < 4; b++) {
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < S * S; i++) {
          const v = x[(b * 3 + c) * S * S + i];
          expect(v).toBeGreaterThanOrEqual(-MEAN[c] / STD[c] - 1e-5);
          expect(v).toBeLessThanOrEqual((1 - MEAN[c]) / STD[c] + 1e-5);
        }
      }
    }
  });

  it('a full-image crop and a 0° rotation are the identity', () => {
    const none = makeBatch(set, [0, 1], opts([])).x;
    expect(makeBatch(set, [0, 1], opts(['crop'], 1, { cropScale: [1, 1], cropRatio: [1, 1] })).x).toEqual(none);
    expect(makeBatch(set, [0, 1], opts(['rotate'], 1, { rotateDegrees: 0 })).x).toEqual(none);
  });

  it('a crop zooms in: a smaller crop of a horizontal ramp spans a smaller range', () => {
    const ramp: ImageSet = {
      n: 1,
      size: 32,
      channels: 1,
      data: new Uint8Array(32 * 32).map((_, i) => (i % 32) * 8),
      labels: new Int32Array(1),
    };
    const o = {
      augment: new Set<Augmentation>(['crop']),
      mean: [0],
      std: [1 / 255],
      cropScale: [0.25, 0.25] as const,
      cropRatio: [1, 1] as const,
    };
    for (let seed = 0; seed < 5; seed++) {
      const x = makeBatch(ramp, [0], { ...o, rng: seededRng(seed) }).x;
      const row = Array.from(x.subarray(5 * 32, 6 * 32));
      // 16 source columns spread over 32 (the full row spans 31 × 8 = 248)
      expect(row[31] - row[0]).toBeGreaterThan(118);
      expect(row[31] - row[0]).toBeLessThan(126);
      for (let i = 1; i < 32; i++) expect(row[i]).toBeGreaterThanOrEqual(row[i - 1] - 1e-3);
    }
  });

  it('rotation fills uncovered corners from the edge by default, or with black', () => {
    const flat = constantSet(16, [200, 100, 50]);
    const o = opts(['rotate'], 3, { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] });
    const edge = makeBatch(flat, [0], o).x;
    for (let c = 0; c < 3; c++) expect(edge[c * 256]).toBeCloseTo([200, 100, 50][c], 3);
    const zero = makeBatch(flat, [0], { ...o, rng: seededRng(3), fill: 'zero' }).x;
    expect(zero[0]).toBeLessThan(150); // the corner
    expect(zero[8 * 16 + 8]).toBeCloseTo(200, 3); // the centre
  });

  it('colour jitter of strength zero is the identity', () => {
    const none = makeBatch(set, [0, 1, 2], opts([])).x;
    const o = opts(['color'], 1, { brightness: 0, contrast: 0, saturation: 0 });
    expect(makeBatch(set, [0, 1, 2], o).x).toEqual(none);
  });

  it('colour jitter follows torchvision: brightness scales, contrast keeps a flat image, saturation keeps grey', () => {
    const raw = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] };
    const grey = constantSet(8, [100, 100, 100]);
    for (let seed = 0; seed < 5; seed++) {
      // a flat grey image is its own mean and its own greyscale: contrast and saturation leave it alone
      const x = makeBatch(grey, [0], opts(['color'], seed, { ...raw, brightness: 0, contrast: 0.9, saturation: 0.9 })).x;
      for (const v of x) expect(v).toBeCloseTo(100, 1); // torchvision's grey weights sum to 0.9999
      const b = makeBatch(grey, [0], opts(['color'], seed, { ...raw, brightness: 0.5, contrast: 0, saturation: 0 })).x;
      expect(b[0]).toBeGreaterThanOrEqual(50);
      expect(b[0]).toBeLessThanOrEqual(150);
      for (const v of b) expect(v).toBeCloseTo(b[0], 4);
    }
    // saturation strength 1 draws factors in [0, 2]: below 1 toward grey, above 1 away from it
    const colour = constantSet(8, [200, 20, 20]);
    const spread: number[] = [];
    for (let seed = 0; seed < 20; seed++) {
      const x = makeBatch(colour, [0], opts(['color'], seed, { ...raw, brightness: 0, contrast: 0, saturation: 1 })).x;
      spread.push(x[0] - x[64]);
    }
    expect(Math.min(...spread)).toBeLessThan(180);
    expect(Math.max(...spread)).toBeGreaterThan(180);
  });

  it('is deterministic for a seed', () => {
    const all: Augmentation[] = ['flip', 'crop', 'rotate', 'color'];
    const a = makeBatch(set, [0, 1, 2, 3], opts(all, 11)).x;
    expect(makeBatch(set, [0, 1, 2, 3], opts(all, 11)).x).toEqual(a);
    expect(makeBatch(set, [0, 1, 2, 3], opts(all, 12)).x).not.toEqual(a);
  });

  it('checks its inputs', () => {
    expect(() => makeBatch(set, [8], opts([]))).toThrow(RangeError);
    expect(() => makeBatch(randomSet(1, 4, 1), [0], opts([]))).toThrow(/mean has 3 values for 1 channel/);
    expect(() => makeBatch(set, [0], { ...opts([]), std: [1, 0, 1] })).toThrow(/std must be positive/);
  });

  it('reuses an output buffer', () => {
    const out = new Float32Array(10 * 3 * S * S);
    const { x } = makeBatch(set, [0, 1], opts(['flip'], 1, { out }));
    expect(x.buffer).toBe(out.buffer);
    expect(x.length).toBe(2 * 3 * S * S);
  });
});

describe('randomResizedCrop', () => {
  it('returns boxes inside the image within the scale and ratio ranges, or the whole image as the fallback', () => {
    const rng = seededRng(2);
    for (let i = 0; i < 200; i++) {
      const [top, left, h, w] = randomResizedCrop(32, 32, [0.5, 1], [3 / 4, 4 / 3], rng);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(left).toBeGreaterThanOrEqual(0);
      expect(top + h).toBeLessThanOrEqual(32);
      expect(left + w).toBeLessThanOrEqual(32);
      expect((h * w) / 1024).toBeGreaterThan(0.45);
      expect(w / h).toBeGreaterThan(0.7);
      expect(w / h).toBeLessThan(1.4);
    }
    expect(randomResizedCrop(32, 32, [2, 3], [1, 1], rng)).toEqual([0, 0, 32, 32]);
    expect(randomResizedCrop(20, 40, [2, 3], [1, 1], rng)).toEqual([0, 10, 20, 20]);
  });
});
