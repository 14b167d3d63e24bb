// Recent photos through the engine's contract, on real files: the list survives a restart, a photo reopens with
// the bytes it was opened with (from its path, or the studio's copy when the page gave no path), duplicates are
// one entry, the list keeps the newest 12 and deletes the files of the others, and a photo deleted or changed on
// disk since is reported by name and leaves the list.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine/engine';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome('vs-recent-');
process.env.VISION_STUDIO_HOME = home.dir;
const photos = path.join(home.dir, 'photos');
const recentDir = path.join(home.dir, 'recent');
let engine: Engine;

const start = () => new Engine({ transport: 'test', logDir: path.join(home.dir, 'log') });
const copyPhoto = (name: string, as = name): string => {
  const to = path.join(photos, as);
  fs.copyFileSync(sharedPath('photos', name), to);
  return to;
};
const payload = (file: string) => ({ name: path.basename(file), bytes: new Uint8Array(fs.readFileSync(file)) });
const names = async () => (await engine.call('recent.list', {})).photos.map((p) => p.name);

beforeAll(() => {
  fs.mkdirSync(photos, { recursive: true });
  engine = start();
});
afterAll(async () => {
  await engine?.dispose();
  home.cleanup();
});

describe.skipIf(!sharedModelsDir)('recent photos', () => {
  it('lists opened photos newest first with thumbnails, and keeps them across a restart', async () => {
    const bird = copyPhoto('bird.png');
    await engine.call('recent.add', { image: payload(bird), path: bird });
    const cat = payload(sharedPath('photos', 'cat.png'));
    const { photos: list } = await engine.call('recent.add', { image: cat }); // browser mode: no path
    expect(list.map((p) => p.name)).toEqual(['cat.png', 'bird.png']);
    expect(list[1].path).toBe(bird);
    expect(list[0].path).toBeUndefined();
    const meta = await sharp(list[0].thumbnail).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 160, 160]);
    const real = await sharp(sharedPath('photos', 'cat.png')).metadata();
    expect([list[0].width, list[0].height]).toEqual([real.width, real.height]);
    // The studio copies only the photo whose path it does not know.
    expect(fs.readdirSync(recentDir).filter((f) => f.endsWith('.photo'))).toEqual([`${list[0].id}.photo`]);

    await engine.dispose();
    engine = start();
    expect(await names()).toEqual(['cat.png', 'bird.png']);
  });

  it('reopens a photo with the bytes it was opened with, from its path or from the copy, and moves it to the top', async () => {
    const [cat, bird] = (await engine.call('recent.list', {})).photos;
    const fromPath = await engine.call('recent.open', { id: bird.id });
    expect(fromPath.ok).toBe(true);
    if (!fromPath.ok) return;
    expect(fromPath.name).toBe('bird.png');
    expect(Buffer.from(fromPath.bytes).equals(fs.readFileSync(bird.path!))).toBe(true);
    expect(fromPath.photos.map((p) => p.name)).toEqual(['bird.png', 'cat.png']);
    const fromCopy = await engine.call('recent.open', { id: cat.id });
    expect(fromCopy.ok && Buffer.from(fromCopy.bytes).equals(fs.readFileSync(sharedPath('photos', 'cat.png')))).toBe(true);
  });

  it('keeps one entry per picture: the same bytes under another name, or a new picture at the same path', async () => {
    const birdId = (await engine.call('recent.list', {})).photos.find((p) => p.name === 'bird.png')!.id;
    const again = copyPhoto('bird.png', 'bird-copy.png');
    await engine.call('recent.add', { image: payload(again), path: again });
    expect(await names()).toEqual(['bird-copy.png', 'cat.png']);
    // The same path with other content replaces the entry of that path.
    fs.copyFileSync(sharedPath('photos', 'sunflower.png'), again);
    await engine.call('recent.add', { image: payload(again), path: again });
    const list = (await engine.call('recent.list', {})).photos;
    expect(list.map((p) => p.name)).toEqual(['bird-copy.png', 'cat.png']);
    expect(list[0].id).not.toBe(birdId);
    expect(list[0].path).toBe(again);
    expect(list[0].width).toBe((await sharp(sharedPath('photos', 'sunflower.png')).metadata()).width);
  });

  it('says by name when a photo was deleted or changed on disk since, and drops it from the list', async () => {
    const dragonfly = copyPhoto('dragonfly.png');
    const hopper = copyPhoto('grace_hopper.png');
    await engine.call('recent.add', { image: payload(dragonfly), path: dragonfly });
    await engine.call('recent.add', { image: payload(hopper), path: hopper });
    const byName = async (n: string) => (await engine.call('recent.list', {})).photos.find((p) => p.name === n)!;
    const dragonflyId = (await byName('dragonfly.png')).id;
    const hopperId = (await byName('grace_hopper.png')).id;

    fs.rmSync(dragonfly);
    const gone = await engine.call('recent.open', { id: dragonflyId });
    expect(gone).toMatchObject({ ok: false, problem: 'missing' });
    if (gone.ok) return;
    expect(gone.message).toContain('dragonfly.png');
    expect(gone.message).toContain(dragonfly);
    expect(gone.message).toMatch(/deleted or moved/);
    expect(gone.photos.map((p) => p.name)).not.toContain('dragonfly.png');
    expect(fs.existsSync(path.join(recentDir, `${dragonflyId}.webp`))).toBe(false);

    const bytes = fs.readFileSync(hopper);
    fs.writeFileSync(hopper, bytes.subarray(0, bytes.length - 100)); // edited: cut short
    const changed = await engine.call('recent.open', { id: hopperId });
    expect(changed).toMatchObject({ ok: false, problem: 'changed' });
    if (!changed.ok) expect(changed.message).toMatch(/grace_hopper\.png .*has changed since it was opened/);
    expect(await names()).not.toContain('grace_hopper.png');

    // An id no longer listed (another window removed it) is said plainly too.
    expect(await engine.call('recent.open', { id: hopperId })).toMatchObject({ ok: false, problem: 'missing' });
  });

  it("says so when the studio's own copy of a browser-mode photo is gone", async () => {
    const cat = (await engine.call('recent.list', {})).photos.find((p) => p.name === 'cat.png')!;
    fs.rmSync(path.join(recentDir, `${cat.id}.photo`));
    const r = await engine.call('recent.open', { id: cat.id });
    expect(r).toMatchObject({ ok: false, problem: 'missing' });
    if (!r.ok) expect(r.message).toMatch(/^cat\.png \(the studio's copy in .*\) is gone/);
  });

  it('refuses a file that is not a picture, naming it, and leaves the list as it was', async () => {
    const before = await names();
    const jpeg = await sharp(sharedPath('photos', 'cat.png')).jpeg().toBuffer();
    await expect(engine.call('recent.add', { image: { name: 'half.jpg', bytes: new Uint8Array(jpeg.subarray(0, 4000)) } })).rejects.toThrow(
      /half\.jpg: the JPEG data is truncated or corrupt/,
    );
    await expect(engine.call('recent.add', { image: { name: 'notes.txt', bytes: new TextEncoder().encode('hello') } })).rejects.toThrow(
      /notes\.txt: not an image/,
    );
    expect(await names()).toEqual(before);
    await expect(engine.call('recent.open', { id: '../../etc/passwd' } as never)).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('keeps the newest 12 and deletes the thumbnails and copies of the rest', async () => {
    for (let i = 0; i < 14; i++) {
      const png = await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: i * 17, g: 80, b: 200 - i * 9 } } })
        .png()
        .toBuffer();
      await engine.call('recent.add', { image: { name: `swatch-${i}.png`, bytes: new Uint8Array(png) } });
    }
    const list = (await engine.call('recent.list', {})).photos;
    expect(list.map((p) => p.name)).toEqual(Array.from({ length: 12 }, (_, i) => `swatch-${13 - i}.png`));
    const files = fs.readdirSync(recentDir).sort();
    const want = ['recent.json', ...list.flatMap((p) => [`${p.id}.photo`, `${p.id}.webp`])].sort();
    expect(files).toEqual(want);
  });

  it('reads a corrupt list as empty and starts a new one', async () => {
    fs.writeFileSync(path.join(recentDir, 'recent.json'), '{"entries": [ {"id": 1');
    expect(await names()).toEqual([]);
    const bird = copyPhoto('bird.png');
    await engine.call('recent.add', { image: payload(bird), path: bird });
    expect(await names()).toEqual(['bird.png']);
  });
});
