// Export: PNG at a chosen size with provenance chunks, JPEG with the provenance in EXIF, a looping
// time-lapse GIF with one page per frame, and the pre-run estimate growing with size and steps.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { estimate } from '../../../../main/techniques/create-shared/estimate';
import { encodeResult, timelapseGif, type CreateProvenance } from '../../../../main/techniques/create-shared/export';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { readProvenance } from '../../../../main/techniques/shared/provenance';
import { APP_VERSION } from '../../../../main/version';
import { sharedModelsDir } from '../../../helpers/shared-models';
import { darknet, home } from './helpers';

afterAll(async () => {
  await releaseRunner();
  home.cleanup();
});

const rgb = (w: number, h: number) => Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);

describe.skipIf(!sharedModelsDir)('create export', () => {
  it('writes a PNG at the export size with provenance, and a JPEG with it in EXIF', async () => {
    const meta = await darknet();
    const prov: CreateProvenance = {
      technique: 'style',
      method: 'gatys',
      meta,
      sha256: 'ab'.repeat(32),
      layers: ['relu4_2', 'relu1_1'],
      parameters: { steps: 3 },
      seed: 9,
      source: 'a.png',
    };
    const png = await encodeResult(rgb(40, 30), 40, 30, prov, 'png', 1024);
    const m = await sharp(png).metadata();
    expect([m.width, m.height]).toEqual([1024, 768]);
    const p = readProvenance(png)!;
    expect(p.technique).toBe('style');
    expect(p.seed).toBe(9);
    expect(p.layer).toBe('relu4_2,relu1_1');
    expect(p.appVersion).toBe(APP_VERSION);
    const jpg = await encodeResult(rgb(40, 30), 40, 30, prov, 'jpeg');
    const jm = await sharp(jpg).metadata();
    expect(jm.format).toBe('jpeg');
    expect(jm.exif?.toString('latin1')).toContain('"technique":"style"');
  });

  it('makes a looping GIF, one page per frame', async () => {
    const frames = [0, 1, 2].map((k) => ({ rgb: rgb(24, 16).map((v) => (v + 80 * k) % 256), width: 24, height: 16 }));
    const gif = await timelapseGif(frames);
    const m = await sharp(gif, { pages: -1 }).metadata();
    expect(m.format).toBe('gif');
    expect(m.pages).toBe(3);
    expect(m.loop).toBe(0);
  });

  it('estimates more time and memory for bigger images and more steps', async () => {
    const meta = await darknet();
    const a = estimate(meta, { tool: 'style', size: 256, steps: 50, layers: [] });
    const b = estimate(meta, { tool: 'style', size: 512, steps: 50, layers: [] });
    const c = estimate(meta, { tool: 'style', size: 512, steps: 200, layers: [] });
    expect(b.seconds).toBeGreaterThan(a.seconds);
    expect(b.peakMb).toBeGreaterThan(a.peakMb);
    expect(c.seconds).toBeGreaterThan(b.seconds);
    expect(estimate(meta, { tool: 'dream', size: 256, steps: 10, layers: [], octaves: 4 }).note).toContain('relu4_4');
  });
});
