import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetReport } from '../../../../main/train/data/report';
import { scanDataset, type ScanResult } from '../../../../main/train/data/scan';
import { mkfifo, put, reasonOf, solid, tempDir, truncatedJpeg } from './fixtures';

describe('datasetReport', () => {
  let root: string;
  let scan: ScanResult;
  beforeAll(async () => {
    root = tempDir('report');
    const red = await solid(8, 6, [200, 10, 30]);
    const blue = await solid(16, 10, [10, 10, 200]);
    put(path.join(root, 'train/cat/a.png'), red);
    put(path.join(root, 'train/cat/b.png'), blue);
    put(path.join(root, 'train/cat/half.jpg'), await truncatedJpeg());
    put(path.join(root, 'train/cat/text.png'), 'this is not a PNG');
    put(path.join(root, 'train/dog/red-again.png'), red); // the same picture under two labels
    put(path.join(root, 'train/dog/d.png'), await solid(12, 12, [0, 200, 0]));
    put(path.join(root, 'train/dog/e.jpg'), await solid(20, 30, [90, 90, 0], 'jpeg'));
    put(path.join(root, 'val/cat/blue-again.png'), blue); // a training image leaked into validation
    put(path.join(root, 'val/dog/f.png'), await solid(10, 10, [1, 100, 1]));
    scan = await scanDataset(root);
  });

  it('counts usable images per class and split, and the imbalance', async () => {
    const r = await datasetReport(scan);
    expect(r.classes).toEqual([
      { name: 'cat', train: 2, val: 1, bad: 2 },
      { name: 'dog', train: 3, val: 1, bad: 0 },
    ]);
    expect(r.imbalance).toEqual({ train: 1.5, val: 1 });
  });

  it('lists bad files with the reason, without failing', async () => {
    const r = await datasetReport(scan);
    expect(r.bad.map((b) => path.relative(root, b.file))).toEqual(['train/cat/half.jpg', 'train/cat/text.png']);
    expect(reasonOf(r.bad, path.join(root, 'train/cat/half.jpg'))).toMatch(/truncated/);
    expect(reasonOf(r.bad, path.join(root, 'train/cat/text.png'))).toMatch(/^not an image/);
  });

  it('gives the image size spread from the usable images', async () => {
    const r = await datasetReport(scan);
    // widths 8, 16, 8, 12, 20 (train) + 16, 10 (val); heights 6, 10, 6, 12, 30 + 10, 10
    expect(r.width).toEqual({ min: 8, median: 12, max: 20 });
    expect(r.height).toEqual({ min: 6, median: 10, max: 30 });
    // Headers only: faster, but the truncated JPEG (128 × 128 by its header) passes as usable.
    const quick = await datasetReport(scan, { verify: false });
    expect(quick.width).toEqual({ min: 8, median: 14, max: 128 });
    expect(quick.bad.map((b) => path.basename(b.file))).toEqual(['text.png']);
  });

  it('finds duplicates by content and flags those across classes and across train/val', async () => {
    const r = await datasetReport(scan);
    expect(r.duplicates).toHaveLength(2);
    const [crossClass, crossSplit] = r.duplicates;
    expect(crossClass.files.map((f) => path.relative(root, f.file))).toEqual(['train/cat/a.png', 'train/dog/red-again.png']);
    expect([crossClass.crossClass, crossClass.crossSplit]).toEqual([true, false]);
    expect(crossSplit.files.map((f) => [path.relative(root, f.file), f.split])).toEqual([
      ['train/cat/b.png', 'train'],
      ['val/cat/blue-again.png', 'val'],
    ]);
    expect([crossSplit.crossClass, crossSplit.crossSplit]).toEqual([false, true]);
    expect(crossSplit.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports progress up to (total, total)', async () => {
    const calls: [number, number][] = [];
    await datasetReport(scan, { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls[0]).toEqual([0, 9]);
    expect(calls.at(-1)).toEqual([9, 9]);
    expect(calls.map((c) => c[0])).toEqual([...calls.map((c) => c[0])].sort((a, b) => a - b));
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(datasetReport(scan, { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('calls a zero-byte file and a FIFO bad instead of hanging on them', async () => {
    const dir = tempDir('report-odd');
    const empty = put(path.join(dir, 'empty.png'), '');
    const pipe = path.join(dir, 'pipe.png');
    const hasFifo = mkfifo(pipe);
    const good = put(path.join(dir, 'ok.png'), await solid(4, 4, [1, 2, 3]));
    const train = [empty, good, ...(hasFifo ? [pipe] : [])].map((file) => ({ file, label: 0 }));
    const r = await datasetReport({ classes: ['x'], train, val: null, skipped: [] });
    expect(reasonOf(r.bad, empty)).toMatch(/empty/);
    if (hasFifo) expect(reasonOf(r.bad, pipe)).toMatch(/not a regular file/);
    expect(r.classes).toEqual([{ name: 'x', train: 1, val: 0, bad: hasFifo ? 2 : 1 }]);
    expect(r.imbalance.val).toBeNull();
  }, 10_000);
});
