// PNG text chunks (written by hand with zlib.crc32) survive decoders and read back; colormaps,
// resampling and the overlay modes behave at their edges.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colormapLut } from '../../../main/techniques/shared/colormap';
import { renderOverlay } from '../../../main/techniques/shared/overlay';
import { addPngText, readPngText } from '../../../main/techniques/shared/png-text';
import { readProvenance, withProvenance } from '../../../main/techniques/shared/provenance';
import { inputRegion, mapToImage, resizeBilinear } from '../../../main/techniques/shared/resample';
import { normalize } from '../../../main/techniques/cam/methods';

const tinyPng = () =>
  sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();

describe('PNG text chunks', () => {
  it('writes tEXt and iTXt that sharp still decodes and that read back exactly', async () => {
    const png = addPngText(await tinyPng(), {
      Software: 'Vision Studio',
      'vision-studio:class': '281 tabby, tabby cat',
      note: 'Grüße ✓ 猫',
    });
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(4);
    expect(readPngText(png)).toEqual({ Software: 'Vision Studio', 'vision-studio:class': '281 tabby, tabby cat', note: 'Grüße ✓ 猫' });
  });

  it('rejects invalid keywords and non-PNG input', async () => {
    expect(() => addPngText(new Uint8Array([1, 2, 3]), { a: 'b' })).toThrow(/not a PNG/);
    const png = await tinyPng();
    expect(() => addPngText(png, { '': 'x' })).toThrow(/keyword/);
    expect(() => addPngText(png, { k: 'a\0b' })).not.toThrow();
  });

  it('round-trips a provenance record', async () => {
    const png = withProvenance(await tinyPng(), {
      technique: 'cam',
      method: 'gradcam',
      model: 'm',
      modelSha256: 'ab'.repeat(32),
      layer: 'out_relu',
      class: { index: 3, label: 'x' },
      parameters: { opacity: 0.5 },
      seed: 7,
    });
    const p = readProvenance(png)!;
    expect(p).toMatchObject({
      technique: 'cam',
      method: 'gradcam',
      layer: 'out_relu',
      modelSha256: 'ab'.repeat(32),
      seed: 7,
      parameters: { opacity: 0.5 },
    });
    expect(p.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(readPngText(png)['vision-studio:model-sha256']).toBe('ab'.repeat(32));
  });
});

describe('colormaps and resampling', () => {
  it('colormaps run from dark/blue to bright/red as documented', () => {
    const jet = colormapLut('jet');
    expect([jet[0], jet[1], jet[2]]).toEqual([0, 0, 128]);
    expect([jet[765], jet[766], jet[767]]).toEqual([128, 0, 0]);
    const gray = colormapLut('gray');
    expect([gray[384], gray[385], gray[386]]).toEqual([128, 128, 128]);
    const inferno = colormapLut('inferno');
    expect(inferno[765] + inferno[766]).toBeGreaterThan(500);
  });

  it('bilinear resize keeps constants and matches both corner conventions', () => {
    expect([...resizeBilinear(new Float32Array([2, 2, 2, 2]), 2, 2, 5, 3)]).toEqual(new Array(15).fill(2));
    const ac = resizeBilinear(new Float32Array([0, 1]), 2, 1, 3, 1, true);
    expect([...ac]).toEqual([0, 0.5, 1]);
    const hp = resizeBilinear(new Float32Array([0, 1]), 2, 1, 4, 1, false);
    expect([...hp]).toEqual([0, 0.25, 0.75, 1]);
  });

  it('maps a centre-cropped input back to its region of the photo, NaN outside', () => {
    const pre = {
      channelOrder: 'RGB',
      layout: 'NCHW',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'shorter-then-crop',
      resizeTo: 256,
    } as const;
    const r = inputRegion({ ...pre, mean: [0, 0, 0], std: [1, 1, 1] }, [224, 224], 512, 256);
    expect(r.height).toBeCloseTo(224, 5);
    expect(r.x).toBeCloseTo(144, 5);
    const full = mapToImage(new Float32Array([1]), 1, 1, r, 512, 256);
    expect(Number.isNaN(full[0])).toBe(true);
    expect(full[256 * 128 + 256]).toBe(1);
  });

  it('normalize never returns NaN (flat and non-finite maps)', () => {
    expect([...normalize(new Float32Array([3, 3, 3]))]).toEqual([0, 0, 0]);
    expect([...normalize(new Float32Array([0, Number.NaN, 2]))]).toEqual([0, 0, 1]);
  });
});

describe('overlay rendering', () => {
  const image = { rgb: new Uint8Array(8 * 6 * 3).fill(100), width: 8, height: 6 };
  const map = Float32Array.from({ length: 48 }, (_, i) => (i % 8) / 7);
  it('blended and mask-only keep the size; side by side doubles the width', async () => {
    for (const [mode, w] of [
      ['blended', 8],
      ['mask-only', 8],
      ['side-by-side', 16],
    ] as const) {
      const png = await renderOverlay(image, map, { colormap: 'viridis', opacity: 0.5, threshold: 0.5, mode, colorbar: false });
      const m = await sharp(png).metadata();
      expect([m.width, m.height]).toEqual([w, 6]);
    }
  });

  it('threshold leaves low pixels untouched and colours high ones', async () => {
    const png = await renderOverlay(image, map, { colormap: 'jet', opacity: 1, threshold: 0.5, mode: 'blended', colorbar: false });
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([100, 100, 100]);
    const last = 7 * 3;
    expect([data[last], data[last + 1], data[last + 2]]).toEqual([128, 0, 0]);
  });
});
