// BMP reader (libvips has none). The header is read and every limit checked before a pixel buffer exists: a
// 1 KB RLE8 file claiming 20000 x 20000 is refused from its header, an uncompressed one whose rows do not fit in the
// file is refused as cut short, and the RLE loops can only write inside the image. Output is RGB (alpha dropped, as
// PIL's convert('RGB') does); rows top to bottom.
//
// Covers what is written in practice: the Windows INFO header and its V2-V5 extensions, OS/2 core headers,
// 1/4/8-bit palettes (RLE4/RLE8 included), 16-bit (5-5-5 or bit fields), 24-bit, 32-bit (BGRX or bit fields).
import { StudioError } from '../api/contract';

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  /** Where the pixel data starts. */
  dataOffset: number;
  /** Where the colour table starts and how many entries it has (0 above 8 bits). */
  paletteOffset: number;
  paletteSize: number;
  /** 3 in OS/2 core files, else 4. */
  paletteEntryBytes: number;
  /** R, G, B channel masks for 16 and 32 bits. */
  masks: [number, number, number] | null;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

const fail = (name: string, what: string): never => {
  throw new StudioError('bad_image', `${name}: ${what}`);
};
const truncated = (name: string): never =>
  fail(name, 'the BMP data is truncated (the file ends before the picture does: it was cut short while downloading or copying).');

/** Reads and checks the header; `maxPixels` is checked here, so a bomb costs nothing but these bytes. */
export function readBmpHeader(name: string, b: Uint8Array, maxPixels: number): BmpHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) return truncated(name);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  const core = headerSize === 12;
  if (!core && ![40, 52, 56, 64, 108, 124].includes(headerSize))
    return fail(name, `the BMP header (${headerSize} bytes) is not one the studio can read.`);
  if (b.length < 14 + Math.min(headerSize, 40)) return truncated(name);
  const width = core ? v.getUint16(18, true) : v.getInt32(18, true);
  const rawHeight = core ? v.getUint16(20, true) : v.getInt32(22, true);
  const bitsPerPixel = v.getUint16(core ? 24 : 28, true);
  const compression = core ? BI_RGB : v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) return fail(name, 'the image has no pixels.');
  if (width * height > maxPixels) {
    throw new StudioError(
      'image_too_large',
      `${name}: ${width} x ${height} pixels is over the ${maxPixels / 1e6} megapixel limit (a decompression bomb guard).`,
    );
  }
  const known =
    (compression === BI_RGB && [1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) ||
    (compression === BI_RLE8 && bitsPerPixel === 8) ||
    (compression === BI_RLE4 && bitsPerPixel === 4) ||
    ((compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) && (bitsPerPixel === 16 || bitsPerPixel === 32));
  if (!known)
    return fail(name, `the BMP uses an encoding the studio cannot read (${bitsPerPixel} bits per pixel, compression ${compression}).`);

  let masks: BmpHeader['masks'] = null;
  let afterHeader = 14 + headerSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    // INFO headers keep the masks after the header; V2 and later inside it, at the same place.
    if (headerSize === 40) afterHeader += compression === BI_ALPHABITFIELDS ? 16 : 12;
    if (b.length < 66) return truncated(name);
    masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
  } else if (bitsPerPixel === 16) masks = [0x7c00, 0x03e0, 0x001f];
  else if (bitsPerPixel === 32) masks = [0xff0000, 0xff00, 0xff];

  const paletteEntryBytes = core ? 3 : 4;
  let paletteSize = 0;
  if (bitsPerPixel <= 8) {
    const used = core ? 0 : v.getUint32(46, true);
    paletteSize = Math.min(used || 1 << bitsPerPixel, 1 << bitsPerPixel);
    if (afterHeader + paletteSize * paletteEntryBytes > b.length) return truncated(name);
  }
  if (dataOffset > b.length) return truncated(name);
  return {
    width,
    height,
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    dataOffset,
    paletteOffset: afterHeader,
    paletteSize,
    paletteEntryBytes,
    masks,
  };
}

export interface BmpPixels {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export function decodeBmp(name: string, b: Uint8Array, maxPixels: number): BmpPixels {
  const h = readBmpHeader(name, b, maxPixels);
  const { width, height } = h;
  const stride = Math.floor((h.bitsPerPixel * width + 31) / 32) * 4;
  const rle = h.compression === BI_RLE8 || h.compression === BI_RLE4;
  // An uncompressed body must hold every row before we allocate for them.
  if (!rle && h.dataOffset + stride * (height - 1) + Math.ceil((h.bitsPerPixel * width) / 8) > b.length) return truncated(name);

  const palette = new Uint8Array(256 * 3); // entries past the table stay black
  for (let i = 0; i < h.paletteSize; i++) {
    const at = h.paletteOffset + i * h.paletteEntryBytes; // stored B, G, R
    palette.set([b[at + 2], b[at + 1], b[at]], i * 3);
  }
  const rgb = new Uint8Array(width * height * 3);
  const rowStart = (fileRow: number) => (h.topDown ? fileRow : height - 1 - fileRow) * width * 3;

  if (rle) {
    decodeRle(name, b, h, palette, rgb, rowStart);
    return { rgb, width, height };
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const channel = h.masks ? h.masks.map(maskReader) : null;
  for (let row = 0; row < height; row++) {
    const src = h.dataOffset + row * stride;
    let dst = rowStart(row);
    for (let x = 0; x < width; x++, dst += 3) {
      switch (h.bitsPerPixel) {
        case 24: {
          const at = src + x * 3;
          rgb[dst] = b[at + 2];
          rgb[dst + 1] = b[at + 1];
          rgb[dst + 2] = b[at];
          break;
        }
        case 16:
        case 32: {
          const px = h.bitsPerPixel === 16 ? v.getUint16(src + x * 2, true) : v.getUint32(src + x * 4, true);
          rgb[dst] = channel![0](px);
          rgb[dst + 1] = channel![1](px);
          rgb[dst + 2] = channel![2](px);
          break;
        }
        default: {
          const bits = h.bitsPerPixel;
          const bitPos = x * bits;
          const byte = b[src + (bitPos >> 3)];
          const index = (byte >> (8 - bits - (bitPos & 7))) & ((1 << bits) - 1);
          rgb.set(palette.subarray(index * 3, index * 3 + 3), dst);
        }
      }
    }
  }
  return { rgb, width, height };
}

/** A mask's bits scaled to 0..255 (5-bit 31 → 255, as 5-5-5 and 5-6-5 files mean full intensity). */
function maskReader(mask: number): (px: number) => number {
  if (!mask) return () => 0;
  const shift = 31 - Math.clz32(mask & -mask);
  const max = mask >>> shift;
  return (px) => Math.round((((px & mask) >>> shift) * 255) / max);
}

/**
 * RLE8/RLE4: runs, literal runs, end of line, delta and end of bitmap. Pixels never written keep palette entry 0
 * (what PIL gives them); writes outside the image are dropped, and a body that stops before its end-of-bitmap
 * marker and before the last row is reported as cut short.
 */
function decodeRle(
  name: string,
  b: Uint8Array,
  h: BmpHeader,
  palette: Uint8Array,
  rgb: Uint8Array,
  rowStart: (fileRow: number) => number,
): void {
  const { width, height } = h;
  const four = h.compression === BI_RLE4;
  for (let i = 0; i < rgb.length; i += 3) rgb.set(palette.subarray(0, 3), i);
  let x = 0;
  let row = 0;
  let p = h.dataOffset;
  const put = (index: number) => {
    if (x < width && row < height) rgb.set(palette.subarray(index * 3, index * 3 + 3), rowStart(row) + x * 3);
    x++;
  };
  while (row < height) {
    if (p + 1 >= b.length) return truncated(name);
    const count = b[p];
    const code = b[p + 1];
    p += 2;
    if (count > 0) {
      // A run: `count` pixels of one index (RLE4: two alternating nibbles).
      for (let i = 0; i < count && x < width; i++) put(four ? (i & 1 ? code & 15 : code >> 4) : code);
    } else if (code === 0) {
      x = 0;
      row++;
    } else if (code === 1) {
      return;
    } else if (code === 2) {
      if (p + 1 >= b.length) return truncated(name);
      x += b[p];
      row += b[p + 1];
      p += 2;
    } else {
      // Literal run of `code` pixels, padded to a 16-bit boundary.
      const bytes = four ? (code + 1) >> 1 : code;
      if (p + bytes > b.length) return truncated(name);
      for (let i = 0; i < code; i++) put(four ? (i & 1 ? b[p + (i >> 1)] & 15 : b[p + (i >> 1)] >> 4) : b[p + i]);
      p += bytes + (bytes & 1);
    }
  }
}
