// Mime type and pixel size from an image's first bytes, without decoding (the observer runs synchronously
// inside job events and must stay cheap). Unknown formats get application/octet-stream and no size.
import { sniffFormat } from '../image/decode';

export interface ImageInfo {
  mime: string;
  width: number | null;
  height: number | null;
}

export function imageInfo(b: Uint8Array): ImageInfo {
  const format = sniffFormat(b);
  const mime = format ? `image/${format}` : 'application/octet-stream';
  const size = format ? sizeOf(format, b) : null;
  return { mime, width: size?.[0] ?? null, height: size?.[1] ?? null };
}

function sizeOf(format: string, b: Uint8Array): [number, number] | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    if (format === 'png') return [v.getUint32(16), v.getUint32(20)];
    if (format === 'gif') return [v.getUint16(6, true), v.getUint16(8, true)];
    if (format === 'bmp') return [v.getInt32(18, true), Math.abs(v.getInt32(22, true))];
    if (format === 'jpeg') return jpegSize(b, v);
  } catch {
    // truncated header: no size
  }
  return null;
}

function jpegSize(b: Uint8Array, v: DataView): [number, number] | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return [v.getUint16(i + 7), v.getUint16(i + 5)];
    i += 2 + v.getUint16(i + 2);
  }
  return null;
}
