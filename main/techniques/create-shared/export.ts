// Finished images as files: PNG with provenance text chunks (the shared writer), JPEG (no text chunks:
// provenance goes in an EXIF ImageDescription), and an optional time-lapse GIF of the previews.
import sharp from 'sharp';
import type { ModelMeta } from '../../api/contract';
import { withProvenance, type Provenance } from '../shared/provenance';
import type { Frame } from './progress';

export type ExportFormat = 'png' | 'jpeg';

export interface CreateProvenance {
  technique: 'dream' | 'invert' | 'texture' | 'style';
  method: string;
  meta: ModelMeta;
  sha256: string;
  layers: string[];
  parameters: Record<string, unknown>;
  seed: number;
  source?: string;
}

const toProvenance = (p: CreateProvenance): Provenance => ({
  technique: p.technique,
  method: p.method,
  model: p.meta.id,
  modelSha256: p.sha256,
  layer: p.layers.join(','),
  parameters: { ...p.parameters, layers: p.layers },
  seed: p.seed,
  source: p.source,
});

const raw = (rgb: Uint8Array, width: number, height: number) =>
  sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });

/** Encodes the result, optionally resized so its longer side is `size` (Lanczos, as for prints). */
export async function encodeResult(
  rgb: Uint8Array,
  width: number,
  height: number,
  prov: CreateProvenance,
  format: ExportFormat = 'png',
  size?: number,
): Promise<Buffer> {
  let p = raw(rgb, width, height);
  if (size && size !== Math.max(width, height)) p = p.resize(width >= height ? { width: size } : { height: size }, undefined);
  if (format === 'jpeg') {
    const desc = JSON.stringify(toProvenance(prov));
    return p
      .jpeg({ quality: 92 })
      .withExif({ IFD0: { ImageDescription: desc.replace(/[^\x20-\x7e]/g, '?'), Software: 'Vision Studio' } })
      .toBuffer();
  }
  return withProvenance(await p.png({ compressionLevel: 6 }).toBuffer(), toProvenance(prov));
}

/** Frames (all resized to the last frame's size) → looping animated GIF, `delayMs` per frame, last held 1.5 s. */
export async function timelapseGif(frames: Frame[], delayMs = 120, maxSide = 256): Promise<Buffer> {
  if (frames.length === 0) throw new Error('no frames for the time-lapse');
  const last = frames[frames.length - 1];
  const s = Math.min(1, maxSide / Math.max(last.width, last.height));
  const w = Math.max(1, Math.round(last.width * s));
  const h = Math.max(1, Math.round(last.height * s));
  const pages = await Promise.all(frames.map((f) => raw(f.rgb, f.width, f.height).resize(w, h, { fit: 'fill' }).raw().toBuffer()));
  const delay = frames.map((_, i) => (i === frames.length - 1 ? 1500 : delayMs));
  return sharp(Buffer.concat(pages), { raw: { width: w, height: h * frames.length, channels: 3, pageHeight: h } })
    .gif({ delay, loop: 0 })
    .toBuffer();
}
