// Embedded colour profiles are ignored by default, as PIL (and so torchvision's loader) ignores them: a JPEG carrying
// a Display P3 profile gives exactly the pixels of the same JPEG without it. Converting is an explicit option.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../main/image/decode';

/** The same JPEG bytes with an APP2 ICC_PROFILE segment inserted after SOI (how cameras and editors embed one). */
function withIcc(jpeg: Buffer, icc: Buffer): Buffer {
  const head = Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1');
  const len = 2 + head.length + icc.length;
  expect(len).toBeLessThan(65536);
  const marker = Buffer.from([0xff, 0xe2, len >> 8, len & 255]);
  return Buffer.concat([jpeg.subarray(0, 2), marker, head, icc, jpeg.subarray(2)]);
}

async function raw(name: string, bytes: Buffer, colourProfile?: 'ignore' | 'convert'): Promise<Buffer> {
  const img = await decodeImage(name, new Uint8Array(bytes), { colourProfile });
  return img.image.clone().raw().toBuffer();
}

describe('ICC profiles', () => {
  it('a JPEG with an embedded P3 profile decodes to its stored values (the same JPEG without the profile)', async () => {
    const w = 64;
    const h = 48;
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7 + (i % 3) * 90) % 256; // saturated colours, where P3 and sRGB differ
    const plain = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    // A real non-sRGB profile: the one sharp attaches for 'p3'.
    const p3 = (await sharp(plain).withIccProfile('p3').jpeg().toBuffer({ resolveWithObject: true })).data;
    const icc = (await sharp(p3).metadata()).icc!;
    expect(icc.subarray(36, 40).toString('latin1')).toBe('acsp');
    const tagged = withIcc(plain, icc);
    expect((await sharp(tagged).metadata()).icc?.equals(icc)).toBe(true);

    const stored = await raw('plain.jpg', plain);
    expect((await raw('p3.jpg', tagged)).equals(stored)).toBe(true);
    expect((await raw('p3.jpg', tagged, 'ignore')).equals(stored)).toBe(true);
    // The opt-in conversion really converts (so the default above is a choice, not a no-op).
    const converted = await raw('p3.jpg', tagged, 'convert');
    let diff = 0;
    for (let i = 0; i < stored.length; i++) diff = Math.max(diff, Math.abs(stored[i] - converted[i]));
    expect(diff).toBeGreaterThan(10);
  });
});
