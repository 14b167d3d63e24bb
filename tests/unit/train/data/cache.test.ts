import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTensorCache } from '../../../../main/train/data/cache';
import type { Sample } from '../../../../main/train/data/scan';
import { pngOf, put, reasonOf, solid, tempDir, truncatedJpeg } from './fixtures';

/** 40 × 20: green | red | blue in 10, 20, 10 pixel columns. */
async function stripes(): Promise<Buffer> {
  const px = new Uint8Array(40 * 20 * 3);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 40; x++) px.set(x < 10 ? [0, 255, 0] : x < 30 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  }
  return pngOf(40, 20, px);
}

const pixel = (data: Uint8Array, i: number, size: number, c: number, x: number, y: number) =>
  Array.from(data.subarray(i * size * size * c + (y * size + x) * c, i * size * size * c + (y * size + x + 1) * c));

describe('loadTensorCache', () => {
  let dir: string;
  let samples: Sample[];
  beforeAll(async () => {
    dir = tempDir('cache');
    samples = [
      { file: put(path.join(dir, 'red.png'), await solid(30, 17, [255, 0, 0])), label: 0 },
      { file: put(path.join(dir, 'half.jpg'), await truncatedJpeg()), label: 0 },
      { file: put(path.join(dir, 'stripes.png'), await stripes()), label: 1 },
      { file: put(path.join(dir, 'text.png'), 'hello'), label: 1 },
      { file: put(path.join(dir, 'grey.jpg'), await solid(9, 9, [128, 128, 128], 'jpeg')), label: 2 },
    ];
  });

  it('decodes and resizes every image into one N×H×W×C block; bad files are listed, not fatal', async () => {
    const c = await loadTensorCache(samples, { size: 8, channels: 3, resize: 'fill' });
    expect(c.n).toBe(3);
    expect(c.data.length).toBe(3 * 8 * 8 * 3);
    expect(Array.from(c.sourceIndex)).toEqual([0, 2, 4]);
    expect(Array.from(c.labels)).toEqual([0, 1, 2]);
    expect(reasonOf(c.skipped, samples[1].file)).toMatch(/truncated/);
    expect(reasonOf(c.skipped, samples[3].file)).toMatch(/^not an image/);
    expect(pixel(c.data, 0, 8, 3, 3, 5)).toEqual([255, 0, 0]);
    // fill squashes the whole stripe image: green at the left edge, blue at the right
    expect(pixel(c.data, 1, 8, 3, 0, 4)).toEqual([0, 255, 0]);
    expect(pixel(c.data, 1, 8, 3, 7, 4)).toEqual([0, 0, 255]);
    for (const v of pixel(c.data, 2, 8, 3, 4, 4)) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
  });

  it("'shorter-crop' keeps the centre at the image's own aspect", async () => {
    const c = await loadTensorCache([samples[2]], { size: 8, channels: 3, resize: 'shorter-crop' });
    // 40 × 20 -> 16 × 8, centre 8 columns: the red band (its outer columns blend a little with the neighbours)
    for (let x = 1; x < 7; x++) expect(pixel(c.data, 0, 8, 3, x, 4)).toEqual([255, 0, 0]);
    for (const x of [0, 7]) {
      const [r, g, b] = pixel(c.data, 0, 8, 3, x, 4);
      expect(r).toBeGreaterThan(3 * Math.max(g, b));
    }
  });

  it('converts to one grey channel with the ITU-R 601 weights', async () => {
    const c = await loadTensorCache([samples[0], samples[4]], { size: 4, channels: 1, resize: 'fill' });
    expect(c.data.length).toBe(2 * 4 * 4);
    expect(c.data[0]).toBe(76); // 0.299 × 255
    expect(Math.abs(c.data[16] - 128)).toBeLessThanOrEqual(2);
  });

  it('persists to cacheDir: the second load reads it back; a changed file misses', async () => {
    const cacheDir = path.join(dir, 'cache');
    const progress: number[][] = [];
    const opts = {
      size: 8,
      channels: 3 as const,
      resize: 'fill' as const,
      cacheDir,
      onProgress: (d: number, t: number) => progress.push([d, t]),
    };
    const first = await loadTensorCache(samples, opts);
    expect(first.fromDisk).toBe(false);
    expect(first.diskError).toBeUndefined();
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(fs.readdirSync(cacheDir)).toEqual([`${first.key}.bin`]);

    const second = await loadTensorCache(samples, opts);
    expect(second.fromDisk).toBe(true);
    expect(second.key).toBe(first.key);
    expect(second.data).toEqual(first.data);
    expect(second.labels).toEqual(first.labels);
    expect(second.sourceIndex).toEqual(first.sourceIndex);
    expect(second.skipped).toEqual(first.skipped);

    const later = new Date(Date.now() + 5000);
    fs.utimesSync(samples[0].file, later, later);
    const third = await loadTensorCache(samples, opts);
    expect(third.fromDisk).toBe(false);
    expect(third.key).not.toBe(first.key);
    expect((await loadTensorCache(samples, { ...opts, size: 4 })).fromDisk).toBe(false);
  });

  it('rebuilds a cache file that was cut short', async () => {
    const cacheDir = path.join(dir, 'cut');
    const opts = { size: 8, channels: 3 as const, resize: 'fill' as const, cacheDir };
    const first = await loadTensorCache(samples, opts);
    const file = path.join(cacheDir, `${first.key}.bin`);
    fs.truncateSync(file, fs.statSync(file).size - 10);
    const again = await loadTensorCache(samples, opts);
    expect(again.fromDisk).toBe(false);
    expect(again.data).toEqual(first.data);
    expect((await loadTensorCache(samples, opts)).fromDisk).toBe(true);
  });

  it('refuses more than 4 GiB before reading anything, suggesting a size that fits', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ file: `/nowhere/${i}.png`, label: 0 }));
    await expect(loadTensorCache(many, { size: 224, channels: 3, resize: 'fill' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(
        /100,000 images at 224×224×3 need 14 GiB in memory, over the 4 GiB limit: choose an image size of 119 or less/,
      ),
    });
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(loadTensorCache(samples, { size: 8, channels: 3, resize: 'fill', signal: ac.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
