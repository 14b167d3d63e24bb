// A BMP writer for tests: every layout the studio's reader claims (INFO / V5 / OS/2 core headers, bottom-up and
// top-down rows, 1/4/8-bit palettes with RLE4/RLE8, 16-bit 5-5-5 and 5-6-5 bit fields, 24-bit, 32-bit BGRX and
// RGBA bit fields), written from the format's description, not from the reader's code.

export interface BmpSpec {
  width: number;
  height: number;
  bitsPerPixel: 1 | 4 | 8 | 16 | 24 | 32;
  /** Top-down rows top to bottom, RGB (16/24/32 bits). */
  rgb?: Uint8Array;
  /** Palette indices top to bottom and the palette as [r, g, b] (1/4/8 bits). */
  indices?: Uint8Array;
  palette?: [number, number, number][];
  topDown?: boolean;
  rle?: boolean;
  header?: 'core' | 'info' | 'v5';
  /** R, G, B, A masks for BI_BITFIELDS (16/32 bits). */
  masks?: [number, number, number, number];
  /** Extra alpha byte values for 32-bit (ignored by readers that drop alpha). */
  alpha?: number;
}

const HEADER_BYTES = { core: 12, info: 40, v5: 124 } as const;

export function writeBmp(s: BmpSpec): Uint8Array {
  const header = s.header ?? 'info';
  const core = header === 'core';
  const entry = core ? 3 : 4;
  const palette = s.bitsPerPixel <= 8 ? (s.palette ?? []) : [];
  const bitfields = !!s.masks;
  const masksAfterInfo = bitfields && header === 'info' ? 12 : 0;
  const dataOffset = 14 + HEADER_BYTES[header] + masksAfterInfo + palette.length * entry;
  const body = s.rle ? rleBody(s) : rawBody(s);
  const out = new Uint8Array(dataOffset + body.length);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, dataOffset, true);
  v.setUint32(14, HEADER_BYTES[header], true);
  const height = s.topDown ? -s.height : s.height;
  if (core) {
    v.setUint16(18, s.width, true);
    v.setUint16(20, s.height, true);
    v.setUint16(22, 1, true);
    v.setUint16(24, s.bitsPerPixel, true);
  } else {
    v.setInt32(18, s.width, true);
    v.setInt32(22, height, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, s.bitsPerPixel, true);
    const compression = s.rle ? (s.bitsPerPixel === 8 ? 1 : 2) : bitfields ? 3 : 0;
    v.setUint32(30, compression, true);
    v.setUint32(34, body.length, true);
    v.setUint32(46, palette.length, true);
    if (bitfields) s.masks!.forEach((m, i) => i < (header === 'info' ? 3 : 4) && v.setUint32(54 + i * 4, m, true));
  }
  const at = 14 + HEADER_BYTES[header] + masksAfterInfo;
  palette.forEach(([r, g, b], i) => out.set([b, g, r], at + i * entry));
  out.set(body, dataOffset);
  return out;
}

function rawBody(s: BmpSpec): Uint8Array {
  const { width, height, bitsPerPixel: bpp } = s;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const out = new Uint8Array(stride * height);
  const v = new DataView(out.buffer);
  const masks = s.masks ?? (bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0]);
  for (let y = 0; y < height; y++) {
    const row = (s.topDown ? y : height - 1 - y) * stride; // file row holding image row y
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (bpp <= 8) {
        const bit = x * bpp;
        out[row + (bit >> 3)] |= s.indices![i] << (8 - bpp - (bit & 7));
      } else if (bpp === 24) {
        out.set([s.rgb![i * 3 + 2], s.rgb![i * 3 + 1], s.rgb![i * 3]], row + x * 3);
      } else {
        let px = 0;
        for (let c = 0; c < 4; c++) {
          const m = masks[c];
          if (!m) continue;
          const shift = 31 - Math.clz32(m & -m);
          const max = m >>> shift;
          const value = c < 3 ? s.rgb![i * 3 + c] : (s.alpha ?? 255);
          px |= Math.round((value * max) / 255) << shift;
        }
        if (bpp === 16) v.setUint16(row + x * 2, px, true);
        else v.setUint32(row + x * 4, px >>> 0, true);
      }
    }
  }
  return out;
}

/** RLE8/RLE4 rows, bottom row first: runs of equal indices as encoded runs, the rest as literal runs. */
function rleBody(s: BmpSpec): Uint8Array {
  const four = s.bitsPerPixel === 4;
  const out: number[] = [];
  for (let y = s.height - 1; y >= 0; y--) {
    const row = Array.from(s.indices!.subarray(y * s.width, (y + 1) * s.width));
    let x = 0;
    while (x < row.length) {
      let run = 1;
      while (x + run < row.length && run < 255 && row[x + run] === row[x]) run++;
      if (run >= 3 || row.length - x < 3) {
        const n = Math.min(run, row.length - x);
        out.push(n, four ? (row[x] << 4) | row[x] : row[x]);
        x += n;
        continue;
      }
      // literal: up to the next run of three, at least 3 pixels
      let n = 3;
      while (x + n < row.length && n < 255 && !(row[x + n] === row[x + n + 1] && row[x + n] === row[x + n + 2])) n++;
      out.push(0, n);
      const bytes: number[] = [];
      for (let i = 0; i < n; i++) {
        if (!four) bytes.push(row[x + i]);
        else if (i % 2 === 0) bytes.push(row[x + i] << 4);
        else bytes[bytes.length - 1] |= row[x + i];
      }
      if (bytes.length % 2) bytes.push(0);
      out.push(...bytes);
      x += n;
    }
    out.push(0, 0);
  }
  out.push(0, 1);
  return new Uint8Array(out);
}
