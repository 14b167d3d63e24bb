// The decoded RGB bytes behind a sharp pipeline, without a copy: decodeImage already holds them (its pipelines are
// `sharp(raw)`), and asking libvips for them again costs ~100 ms of CPU for a 12 MP photo, as much as the resize.
import type sharp from 'sharp';

const known = new WeakMap<sharp.Sharp, { rgb: Uint8Array; width: number; height: number }>();

/** Records that `image` is exactly these interleaved RGB bytes (read-only from here on). */
export function rememberRaw(image: sharp.Sharp, rgb: Uint8Array, width: number, height: number): sharp.Sharp {
  if (rgb.length === width * height * 3) known.set(image, { rgb, width, height });
  return image;
}

/** The pipeline's pixels as interleaved RGB: the remembered bytes, or libvips' output for any other pipeline. */
export async function rawRgb(image: sharp.Sharp, width: number, height: number): Promise<Uint8Array> {
  const k = known.get(image);
  if (k && k.width === width && k.height === height) return k.rgb;
  const { data, info } = await image.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3)
    throw new Error(`expected ${width}x${height} RGB pixels, the image is ${info.width}x${info.height}x${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
