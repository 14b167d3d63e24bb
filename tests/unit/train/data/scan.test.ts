import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareNames, scanDataset } from '../../../../main/train/data/scan';
import { mkfifo, put, reasonOf, solid, tempDir } from './fixtures';

const rel = (root: string, files: { file: string }[]) => files.map((f) => path.relative(root, f.file));

describe('scanDataset: a folder per class', () => {
  let root: string;
  let outside: string;
  let fifo = false;
  beforeAll(async () => {
    root = tempDir('scan');
    outside = tempDir('outside');
    const red = await solid(8, 6, [200, 10, 30]);
    put(path.join(root, 'cat/a.png'), red);
    put(path.join(root, 'cat/b.jpg'), await solid(8, 6, [10, 10, 200], 'jpeg'));
    put(path.join(root, 'cat/more/c.png'), red); // nested folders belong to their class
    put(path.join(root, 'cat/notes.txt'), 'not a picture');
    put(path.join(root, 'cat/.DS_Store'), 'junk');
    put(path.join(root, 'cat/Thumbs.db'), 'junk');
    put(path.join(root, 'cat/empty.png'), '');
    put(path.join(root, 'dog/x.png'), red);
    put(path.join(root, 'dog/y.webp'), await solid(8, 6, [0, 200, 0], 'webp'));
    put(path.join(root, '.hidden/z.png'), red);
    put(path.join(root, '__MACOSX/cat/._a.png'), 'resource fork');
    put(path.join(root, 'readme.md'), '# my data');
    put(path.join(root, 'loose.png'), red);
    put(path.join(root, 'docs/about.txt'), 'no images here');
    put(path.join(outside, 'secret.png'), red);
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'dog/escape.png'));
    fs.symlinkSync(path.join(root, 'cat/a.png'), path.join(root, 'dog/inside.png'));
    fs.symlinkSync('..', path.join(root, 'cat/loop')); // a folder symlink back up the tree
    fifo = mkfifo(path.join(root, 'cat/pipe.png'));
  });

  it('finds the classes in name order and their images, recursively', async () => {
    const scan = await scanDataset(root);
    expect(scan.layout).toBe('class-folders');
    expect(scan.classes).toEqual(['cat', 'dog']);
    expect(rel(root, scan.train)).toEqual(['cat/a.png', 'cat/b.jpg', 'cat/more/c.png', 'dog/inside.png', 'dog/x.png', 'dog/y.webp']);
    expect(scan.train.map((s) => s.label)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(scan.val).toBeNull();
  });

  it('names every file it leaves out, with the reason; junk is ignored quietly', async () => {
    const { skipped } = await scanDataset(root);
    const why = (f: string) => reasonOf(skipped, path.join(root, f));
    expect(why('cat/notes.txt')).toBe('not an image file (.txt)');
    expect(why('cat/empty.png')).toBe('empty file (0 bytes)');
    expect(why('dog/escape.png')).toMatch(/symlink pointing outside the dataset folder/);
    expect(why('.hidden')).toBe('hidden folder');
    expect(why('cat/loop')).toMatch(/already scanned/);
    expect(why('readme.md')).toBe('not an image file (.md)');
    expect(why('loose.png')).toBe('not inside a class folder');
    expect(why('docs')).toMatch(/no images in this folder: not a class/);
    expect(why('docs/about.txt')).toBe('not an image file (.txt)');
    if (fifo) expect(why('cat/pipe.png')).toBe('not a regular file (FIFO)');
    const all = skipped.map((s) => s.file).join('\n');
    expect(all).not.toMatch(/DS_Store|Thumbs\.db|__MACOSX/);
  });

  it('never opens a FIFO (a scan with one completes at once)', async () => {
    if (!fifo) return;
    const t0 = Date.now();
    await scanDataset(root);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 10_000);

  it('skips files over the size cap and refuses more files than the count cap', async () => {
    const jpegBytes = fs.statSync(path.join(root, 'cat/b.jpg')).size;
    const pngBytes = fs.statSync(path.join(root, 'cat/a.png')).size;
    expect(jpegBytes).toBeGreaterThan(pngBytes);
    const scan = await scanDataset(root, { maxFileBytes: pngBytes });
    expect(reasonOf(scan.skipped, path.join(root, 'cat/b.jpg'))).toMatch(new RegExp(`^larger than ${pngBytes} bytes`));
    expect(rel(root, scan.train)).toContain('cat/a.png');
    await expect(scanDataset(root, { maxFiles: 3 })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/more than 3 files in this dataset/),
    });
  });

  it('says clearly when the folder is missing or holds no class folders', async () => {
    await expect(scanDataset(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'not_found' });
    const flat = tempDir('flat');
    put(path.join(flat, 'a.png'), await solid(4, 4, [1, 2, 3]));
    await expect(scanDataset(flat)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/no class folders/) });
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(scanDataset(root, { signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('scanDataset: train/ and val/ folders', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('tv');
    const px = await solid(5, 5, [9, 9, 9]);
    for (const f of ['train/cat/1.png', 'train/cat/2.png', 'train/cat/3.png', 'train/dog/1.png', 'train/dog/2.png'])
      put(path.join(root, f), px);
    for (const f of ['val/cat/1.png', 'val/dog/1.png', 'val/bird/1.png', 'test/cat/9.png']) put(path.join(root, f), px);
  });

  it('reads the class folders of both, with the training classes as the index', async () => {
    const scan = await scanDataset(root);
    expect(scan.layout).toBe('train-val');
    expect(scan.classes).toEqual(['cat', 'dog']);
    expect(scan.train.map((s) => s.label)).toEqual([0, 0, 0, 1, 1]);
    expect(rel(root, scan.val!)).toEqual(['val/cat/1.png', 'val/dog/1.png']);
    expect(scan.val!.map((s) => s.label)).toEqual([0, 1]);
    expect(reasonOf(scan.skipped, path.join(root, 'val/bird'))).toBe('class "bird" is not among the training classes');
    expect(reasonOf(scan.skipped, path.join(root, 'test'))).toMatch(/held-out test set/);
  });

  it('accepts valid/ and validation/ too', async () => {
    for (const name of ['valid', 'validation']) {
      const r = tempDir(name);
      const px = await solid(5, 5, [9, 9, 9]);
      put(path.join(r, 'train/a/1.png'), px);
      put(path.join(r, 'train/b/1.png'), px);
      put(path.join(r, `${name}/b/1.png`), px);
      const scan = await scanDataset(r);
      expect(scan.val!.map((s) => [path.relative(r, s.file), s.label])).toEqual([[`${name}/b/1.png`, 1]]);
    }
  });

  it('takes a separate validation folder', async () => {
    const val = tempDir('sepval');
    put(path.join(val, 'dog/9.jpg'), await solid(5, 5, [1, 1, 1], 'jpeg'));
    const scan = await scanDataset(path.join(root, 'train'), { val });
    expect(scan.layout).toBe('separate-val');
    expect(scan.val).toEqual([{ file: path.join(val, 'dog/9.jpg'), label: 1 }]);
  });

  it('treats a train/ folder holding images as a class named "train"', async () => {
    const r = tempDir('vehicles');
    const px = await solid(5, 5, [9, 9, 9]);
    put(path.join(r, 'train/1.png'), px);
    put(path.join(r, 'bus/1.png'), px);
    const scan = await scanDataset(r);
    expect(scan.layout).toBe('class-folders');
    expect(scan.classes).toEqual(['bus', 'train']);
  });
});

describe('compareNames', () => {
  it('sorts by code point, as Python (and so torchvision ImageFolder) does', () => {
    expect(['b', 'a', 'B', 'Z', '_x', 'é', '10', '9'].sort(compareNames)).toEqual(['10', '9', 'B', 'Z', '_x', 'a', 'b', 'é']);
  });
});
