// Turns untrusted bytes into an RGB image, or a StudioError that names the file and the reason.
// sharp (libvips) decodes JPEG, PNG, WebP, GIF (first frame), TIFF; bmp.ts covers BMP, which libvips lacks.
import sharp from 'sharp';
import { StudioError } from '../api/contract';
import { decodeBmp } from './bmp';
import { rememberRaw } from './raw-pixels';

/** Decompression-bomb guard: 100 megapixels (a 10000 x 10000 photo) is plenty for this studio. */
export const MAX_PIXELS = 100_000_000;
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'bmp']);

export interface DecodedImage {
  /** An auto-oriented, 3-channel sharp pipeline source; clone() before each use. */
  image: sharp.Sharp;
  width: number;
  height: number;
  format: string;
}

export function sniffFormat(bytes: Uint8Array): string | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && ascii(b, 0, 3) === 'GIF') return 'gif';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)))
    return 'tiff';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  return null;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

export interface DecodeOptions {
  /**
   * 'ignore' (default) keeps the stored pixel values whatever ICC profile is embedded, as PIL and so torchvision's
   * loader do: a model trained on PIL-decoded pixels sees the same numbers here. 'convert' maps them to sRGB.
   */
  colourProfile?: 'ignore' | 'convert';
}

export async function decodeImage(name: string, bytes: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedImage> {
  if (bytes.byteLength === 0) throw new StudioError('bad_image', `${name}: the file is empty (0 bytes).`);
  if (bytes.byteLength > MAX_FILE_BYTES)
    throw new StudioError('image_too_large', `${name}: the file is larger than ${MAX_FILE_BYTES >> 20} MB.`);
  const format = sniffFormat(bytes);
  if (!format || !SUPPORTED.has(format)) {
    throw new StudioError('bad_image', `${name}: not an image this studio can read (expected JPEG, PNG, WebP, GIF, TIFF or BMP).`);
  }
  if (format === 'bmp') return decodeBmpImage(name, bytes);
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { pages: 1, limitInputPixels: false }).metadata();
  } catch (e) {
    throw new StudioError('bad_image', `${name}: the ${format.toUpperCase()} data is corrupt${reason(e)}.`);
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.pageHeight ?? meta.height ?? 0;
  checkPixels(name, width, height);
  // failOn 'truncated' rejects half-written files instead of returning grey rows.
  const ignoreIcc = opts.colourProfile !== 'convert';
  const image = sharp(input, { pages: 1, limitInputPixels: MAX_PIXELS, failOn: 'truncated', ignoreIcc })
    .rotate()
    .removeAlpha()
    .toColourspace('srgb');
  try {
    // Decode once up front so a truncated or corrupt body fails here, with the file's name.
    const raw = await image.clone().raw().toBuffer({ resolveWithObject: true });
    const { width: w, height: h } = raw.info;
    return {
      image: rememberRaw(sharp(raw.data, { raw: { width: w, height: h, channels: 3 } }), raw.data, w, h),
      width: raw.info.width,
      height: raw.info.height,
      format,
    };
  } catch (e) {
    throw new StudioError('bad_image', `${name}: the ${format.toUpperCase()} data is truncated or corrupt${reason(e)}.`);
  }
}

function decodeBmpImage(name: string, bytes: Uint8Array): DecodedImage {
  // Dimensions are checked on the header inside decodeBmp, before the pixel buffer is allocated.
  const { rgb, width, height } = decodeBmp(name, bytes, MAX_PIXELS);
  const image = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  return { image: rememberRaw(image, rgb, width, height), width, height, format: 'bmp' };
}

function checkPixels(name: string, width: number, height: number): void {
  if (!width || !height) throw new StudioError('bad_image', `${name}: the image has no pixels.`);
  if (width * height > MAX_PIXELS) {
    throw new StudioError(
      'image_too_large',
      `${name}: ${width} x ${height} pixels is over the ${MAX_PIXELS / 1e6} megapixel limit (a decompression bomb guard).`,
    );
  }
}

/**
 * The decoder's reason in the user's words: library internals ("VipsJpeg: Premature end of JPEG file") say
 * nothing to a person, so known causes are named plainly and anything else is left out.
 */
function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/premature end|truncat|unexpected end|end of (file|stream|data)|short read|incomplete/i.test(msg))
    return ' (the file ends before the picture does: it was cut short while downloading or copying)';
  if (/unsupported|not supported|unknown (marker|compression|format)/i.test(msg)) return ' (it uses an encoding the studio cannot read)';
  return '';
}
