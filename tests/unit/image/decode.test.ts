import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { encode as encodeBmp } from 'bmp-ts';
import { decodeImage, MAX_PIXELS } from '../../../main/image/decode';

async function png(w = 8, h = 6): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 10, b: 30 } } })
      .png()
      .toBuffer(),
  );
}

describe('decodeImage', () => {
  it('decodes PNG, JPEG, WebP, GIF, TIFF and BMP to RGB', async () => {
    const base = sharp({ create: { width: 8, height: 6, channels: 4, background: { r: 200, g: 10, b: 30, alpha: 1 } } });
    const files: Record<string, Buffer> = {
      'a.png': await base.clone().png().toBuffer(),
      'a.jpg': await base.clone().jpeg().toBuffer(),
      'a.webp': await base.clone().webp().toBuffer(),
      'a.gif': await base.clone().gif().toBuffer(),
      'a.tiff': await base.clone().tiff().toBuffer(),
    };
    const rgba = Buffer.alloc(8 * 6 * 4);
    for (let i = 0; i < 48; i++) rgba.set([255, 30, 10, 200], i * 4); // bmp-ts ABGR order: a=255, b=30, g=10, r=200
    files['a.bmp'] = encodeBmp({ data: rgba, width: 8, height: 6, bitPP: 24 }).data;
    for (const [name, bytes] of Object.entries(files)) {
      const img = await decodeImage(name, new Uint8Array(bytes));
      expect([img.width, img.height], name).toEqual([8, 6]);
      const { data, info } = await img.image.clone().raw().toBuffer({ resolveWithObject: true });
      expect(info.channels, name).toBe(3);
      expect(Math.abs(data[0] - 200), name).toBeLessThan(12);
      expect(data[1], name).toBeLessThan(30);
    }
  });

  it('names the file and the reason for empty, non-image, corrupt and truncated input', async () => {
    await expect(decodeImage('empty.png', new Uint8Array())).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^empty\.png: .*empty/),
    });
    await expect(decodeImage('notes.txt', new TextEncoder().encode('hello world'))).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^notes\.txt: not an image/),
    });
    const good = await png(64, 64);
    const corrupt = good.slice();
    corrupt.fill(7, 40, 200);
    await expect(decodeImage('corrupt.png', corrupt)).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^corrupt\.png: /),
    });
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 300, height: 300, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
    );
    await expect(decodeImage('half.jpg', jpeg.subarray(0, jpeg.length >> 1))).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^half\.jpg: .*truncated/),
    });
    // In the user's words: what happened, not the decoder library's internals.
    const e = await decodeImage('half.jpg', jpeg.subarray(0, jpeg.length >> 1)).catch((x: Error) => x);
    expect((e as Error).message).not.toMatch(/vips|libjpeg|premature/i);
  });

  it('refuses a decompression bomb before decoding its pixels', async () => {
    const side = Math.ceil(Math.sqrt(MAX_PIXELS)) + 16;
    // A small PNG whose header claims side x side pixels: IHDR patched, CRC recomputed.
    const bomb = await png(16, 16);
    const view = new DataView(bomb.buffer, bomb.byteOffset);
    view.setUint32(16, side);
    view.setUint32(20, side);
    view.setUint32(29, zlib.crc32(bomb.subarray(12, 29)));
    expect(bomb.byteLength).toBeLessThan(2_000_000);
    // Timed against decoding a real 1-megapixel PNG on the same machine: refusing from the header must cost less
    // than four times that (decoding the bomb's 100 megapixels would cost ~100 times more), however loaded the machine is.
    const mp = await png(1000, 1000);
    let t0 = performance.now();
    await decodeImage('mp.png', mp);
    const oneMegapixel = performance.now() - t0;
    t0 = performance.now();
    await expect(decodeImage('bomb.png', bomb)).rejects.toMatchObject({
      code: 'image_too_large',
      message: expect.stringMatching(/^bomb\.png: \d+ x \d+ pixels is over/),
    });
    expect(performance.now() - t0).toBeLessThan(Math.max(50, 4 * oneMegapixel));
  });
});
