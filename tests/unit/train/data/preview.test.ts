import { describe, expect, it } from 'vitest';
import type { ImageSet } from '../../../../main/train/data/cache';
import { augmentPreview } from '../../../../main/train/data/preview';

const set = (channels: 1 | 3): ImageSet => {
  const size = 10;
  const data = new Uint8Array(2 * size * size * channels).map((_, i) => (i * 37) & 255);
  return { n: 2, size, channels, data, labels: new Int32Array(2) };
};

describe('augmentPreview', () => {
  it('returns n RGB variants of one image, the same for a seed', () => {
    const s = set(3);
    const opts = { augment: new Set(['flip', 'crop', 'rotate', 'color'] as const), seed: 4 };
    const a = augmentPreview(s, 1, 6, opts);
    expect(a).toHaveLength(6);
    for (const v of a) expect([v.width, v.height, v.rgb.length]).toEqual([10, 10, 300]);
    expect(new Set(a.map((v) => Buffer.from(v.rgb).toString('hex'))).size).toBeGreaterThan(1);
    expect(augmentPreview(s, 1, 6, opts)).toEqual(a);
    expect(augmentPreview(s, 1, 6, { ...opts, seed: 5 })).not.toEqual(a);
  });

  it('shows the original pixels without augmentation, grey repeated over RGB', () => {
    const s = set(1);
    const [v] = augmentPreview(s, 1, 1, { augment: new Set() });
    for (let i = 0; i < 100; i++) expect(Array.from(v.rgb.subarray(i * 3, i * 3 + 3))).toEqual(Array(3).fill(s.data[100 + i]));
    const c = set(3);
    expect(Array.from(augmentPreview(c, 0, 1, { augment: new Set() })[0].rgb)).toEqual(Array.from(c.data.subarray(0, 300)));
  });

  it('refuses an index outside the set', () => {
    expect(() => augmentPreview(set(3), 2, 1, { augment: new Set() })).toThrow(RangeError);
  });
});
