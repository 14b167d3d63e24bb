// BMP decoding: every layout gives the same pixels as sharp's decode of a PNG of the same image (generated BMPs and
// ones written by PIL), and a bomb is refused from its header in milliseconds, before any pixel buffer exists.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readBmpHeader } from '../../../main/image/bmp';
import { decodeImage, MAX_PIXELS } from '../../../main/image/decode';
import { writeBmp, type BmpSpec } from '../../helpers/bmp-writer';

const W = 13; // odd: rows need padding at every depth
const H = 7;

async function pixels(name: string, bytes: Uint8Array): Promise<Buffer> {
  const img = await decodeImage(name, bytes);
  expect([img.width, img.height], name).toEqual([W, H]);
  const { data, info } = await img.image.clone().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels, name).toBe(3);
  return data;
}

/** What sharp decodes from a PNG holding `rgb`: the reference each BMP layout must equal exactly. */
async function viaPng(rgb: Uint8Array, w = W, h = H): Promise<Buffer> {
  const png = await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
  const img = await decodeImage('ref.png', new Uint8Array(png));
  return img.image.clone().raw().toBuffer();
}

/** A seeded image with no two neighbouring pixels alike, so a flipped, shifted or channel-swapped decode shows. */
function testImage(levels = 256): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  let s = 12345;
  for (let i = 0; i < rgb.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    rgb[i] = Math.round((((s >>> 16) % levels) * 255) / (levels - 1));
  }
  return rgb;
}

function paletted(bits: 1 | 4 | 8, runs = false): Pick<BmpSpec, 'indices' | 'palette'> & { rgb: Uint8Array } {
  const n = 1 << bits;
  const palette = Array.from({ length: n }, (_, i) => [(i * 73) % 256, (i * 151 + 20) % 256, (255 - ((i * 37) % 256) + 256) % 256]) as [
    number,
    number,
    number,
  ][];
  const indices = new Uint8Array(W * H);
  // runs: long stretches (RLE encoded runs) mixed with short varied stretches (RLE literal runs)
  for (let i = 0; i < indices.length; i++) indices[i] = (runs && i % W < 6 ? Math.floor(i / W) : i * 7 + (i >> 3)) % n;
  const rgb = new Uint8Array(W * H * 3);
  indices.forEach((k, i) => rgb.set(palette[k], i * 3));
  return { indices, palette, rgb };
}

describe('BMP decoding equals a PNG of the same pixels', () => {
  it('24-bit (bottom-up, top-down, V5 header): colours, not black with alpha 0', async () => {
    const rgb = testImage();
    const want = await viaPng(rgb);
    for (const spec of [{}, { topDown: true }, { header: 'v5' as const }]) {
      const got = await pixels('a.bmp', writeBmp({ width: W, height: H, bitsPerPixel: 24, rgb, ...spec }));
      expect(got.equals(want), JSON.stringify(spec)).toBe(true);
    }
    expect(Math.max(...want)).toBeGreaterThan(200);
  });

  it('32-bit BGRX and RGBA bit fields (alpha dropped, not used as a colour)', async () => {
    const rgb = testImage();
    const want = await viaPng(rgb);
    const specs: Partial<BmpSpec>[] = [
      { alpha: 0 },
      { alpha: 128, header: 'v5', masks: [0xff000000, 0xff0000, 0xff00, 0xff] },
      { alpha: 255, masks: [0xff, 0xff00, 0xff0000, 0] },
    ];
    for (const spec of specs) {
      const got = await pixels('a.bmp', writeBmp({ width: W, height: H, bitsPerPixel: 32, rgb, ...spec }));
      expect(got.equals(want), JSON.stringify(spec)).toBe(true);
    }
  });

  it('16-bit 5-5-5 and 5-6-5', async () => {
    const rgb555 = testImage(32);
    expect((await pixels('a.bmp', writeBmp({ width: W, height: H, bitsPerPixel: 16, rgb: rgb555 }))).equals(await viaPng(rgb555))).toBe(
      true,
    );
    // 5-6-5: green has 64 levels
    const rgb565 = testImage(32);
    for (let i = 1; i < rgb565.length; i += 3) rgb565[i] = Math.round((Math.round((rgb565[i] * 63) / 255) * 255) / 63);
    const b565 = writeBmp({ width: W, height: H, bitsPerPixel: 16, rgb: rgb565, masks: [0xf800, 0x07e0, 0x001f, 0] });
    expect((await pixels('a.bmp', b565)).equals(await viaPng(rgb565))).toBe(true);
  });

  it('1, 4 and 8-bit palettes, OS/2 core header, RLE4 and RLE8', async () => {
    for (const bits of [1, 4, 8] as const) {
      const p = paletted(bits);
      const want = await viaPng(p.rgb);
      const plain = await pixels('p.bmp', writeBmp({ width: W, height: H, bitsPerPixel: bits, ...p }));
      expect(plain.equals(want), `${bits}-bit`).toBe(true);
      const core = await pixels('c.bmp', writeBmp({ width: W, height: H, bitsPerPixel: bits, header: 'core', ...p }));
      expect(core.equals(want), `${bits}-bit core`).toBe(true);
    }
    for (const bits of [4, 8] as const) {
      const p = paletted(bits, true);
      const rle = await pixels('r.bmp', writeBmp({ width: W, height: H, bitsPerPixel: bits, rle: true, ...p }));
      expect(rle.equals(await viaPng(p.rgb)), `RLE${bits}`).toBe(true);
    }
  });

  it('RLE8 delta: skipped pixels take palette entry 0 (as PIL gives them)', async () => {
    const palette: [number, number, number][] = [
      [10, 20, 30],
      [200, 100, 50],
    ];
    // bottom row: 2 pixels of index 1, then delta (+3, +1): row above, x = 5, 1 pixel of index 1, end of bitmap
    const body = [2, 1, 0, 2, 3, 1, 1, 1, 0, 1];
    const file = writeBmp({ width: W, height: H, bitsPerPixel: 8, palette, indices: new Uint8Array(W * H) });
    const header = file.subarray(0, new DataView(file.buffer).getUint32(10, true));
    const bytes = new Uint8Array([...header, ...body]);
    new DataView(bytes.buffer).setUint32(30, 1, true); // BI_RLE8
    const got = await pixels('delta.bmp', bytes);
    const want = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) want.set(palette[0], i * 3);
    const at = (x: number, y: number) => ((H - 1 - y) * W + x) * 3; // y counted from the bottom
    [at(0, 0), at(1, 0), at(5, 1)].forEach((i) => want.set(palette[1], i));
    expect(got.equals(Buffer.from(want))).toBe(true);
  });

  it('files written by PIL (tests/reference/pil_bmp_fixtures.py) equal PIL’s own RGB of them', async () => {
    const dir = path.resolve('tests/fixtures/bmp');
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.bmp'));
    expect(names.length).toBe(4);
    for (const n of names) {
      const bmp = await decodeImage(n, new Uint8Array(fs.readFileSync(path.join(dir, n))));
      const png = await decodeImage(n, new Uint8Array(fs.readFileSync(path.join(dir, n.replace('.bmp', '.png')))));
      expect([bmp.width, bmp.height], n).toEqual([png.width, png.height]);
      const [a, b] = await Promise.all([bmp.image.clone().raw().toBuffer(), png.image.clone().raw().toBuffer()]);
      expect(a.equals(b), n).toBe(true);
    }
  });
});

describe('BMP limits before allocation', () => {
  /** A 1,080-byte RLE8 file whose header claims `w` x `h` (the audit's bomb). */
  function rleBomb(w: number, h: number): Uint8Array {
    const palette = Array.from({ length: 256 }, () => [0, 0, 0] as [number, number, number]);
    const file = writeBmp({ width: 1, height: 1, bitsPerPixel: 8, palette, indices: new Uint8Array(1), rle: true });
    const v = new DataView(file.buffer);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    return file;
  }

  it('refuses a 20000 x 20000 RLE8 bomb from its header, in milliseconds, naming the file', async () => {
    const bomb = rleBomb(20000, 20000);
    expect(bomb.length).toBeLessThan(1100);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const e = await decodeImage('bomb.bmp', bomb).catch((x: unknown) => x);
    const ms = performance.now() - t0;
    expect(e).toMatchObject({ code: 'image_too_large', message: expect.stringMatching(/^bomb\.bmp: 20000 x 20000 pixels is over/) });
    expect(ms).toBeLessThan(500); // decoding it would write 1.6 GB, seconds of work (loose: CI runners stall)
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    // Every depth, and top-down (negative height), is checked the same way.
    const side = Math.ceil(Math.sqrt(MAX_PIXELS)) + 1;
    expect(() => readBmpHeader('td.bmp', rleBomb(side, -side), MAX_PIXELS)).toThrow(/^td\.bmp: .* megapixel limit/);
  });

  it('an uncompressed body shorter than its rows is cut short, before the pixel buffer is made', async () => {
    const rgb = testImage();
    const full = writeBmp({ width: W, height: H, bitsPerPixel: 24, rgb });
    await expect(decodeImage('half.bmp', full.subarray(0, full.length - 10))).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^half\.bmp: the BMP data is truncated/),
    });
    // A 1 KB file claiming 9000 x 9000 at 24 bits (within the pixel limit): refused as truncated, not allocated.
    const big = full.slice();
    new DataView(big.buffer).setInt32(18, 9000, true);
    new DataView(big.buffer).setInt32(22, 9000, true);
    const buffersBefore = process.memoryUsage().arrayBuffers;
    await expect(decodeImage('claims.bmp', big)).rejects.toMatchObject({ message: expect.stringMatching(/^claims\.bmp: .*truncated/) });
    // The 324 MB pixel buffer was never made (array buffers are counted when allocated, touched or not).
    expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(64 * 2 ** 20);
  });

  it('names the file for a cut-short RLE body, an unknown header, an unknown encoding and zero sizes', async () => {
    const p = paletted(8, true);
    const rle = writeBmp({ width: W, height: H, bitsPerPixel: 8, rle: true, ...p });
    const cases: [string, Uint8Array, RegExp][] = [
      ['rle.bmp', rle.subarray(0, rle.length - 12), /^rle\.bmp: the BMP data is truncated/],
      ['hdr.bmp', patch(rle, 14, 77), /^hdr\.bmp: the BMP header \(77 bytes\)/],
      ['jpeg.bmp', patch(rle, 30, 4), /^jpeg\.bmp: the BMP uses an encoding .*compression 4/],
      ['zero.bmp', patch(rle, 18, 0), /^zero\.bmp: the image has no pixels/],
      ['tiny.bmp', rle.subarray(0, 20), /^tiny\.bmp: the BMP data is truncated/],
    ];
    for (const [name, bytes, re] of cases)
      await expect(decodeImage(name, bytes)).rejects.toMatchObject({ code: 'bad_image', message: expect.stringMatching(re) });
  });
});

function patch(bytes: Uint8Array, at: number, u32: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, u32, true);
  return out;
}
