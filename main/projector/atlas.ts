// Thumbnails of every image packed into a few JPEG pages (64 px cells on pages up to 2048 px wide), so the
// renderer draws 10,000 thumbnails from ten textures instead of 10,000 images. Cell i is in page
// ⌊i / perPage⌋, column i mod perRow, row ⌊(i mod perPage) / perRow⌋. A file that cannot be read gets a grey cell.
import fs from 'node:fs';
import sharp from 'sharp';
import { decodeImage } from '../image/decode';
import { forEachLimit } from '../train/data/io';
import type { Work } from './ticker';

export interface AtlasLayout {
  thumb: number;
  perRow: number;
  perPage: number;
  pages: { width: number; height: number; count: number }[];
}

export interface Atlas extends AtlasLayout {
  /** JPEG bytes per page. */
  jpeg: Uint8Array[];
}

/** 2048 px pages: a 16 MB texture each, uploaded one per frame by the renderer (4096² pages stalled it for seconds). */
const MAX_PAGE = 2048;

export function atlasLayout(n: number, thumb: number): AtlasLayout {
  const perRow = Math.max(1, Math.min(Math.floor(MAX_PAGE / thumb), Math.ceil(Math.sqrt(n))));
  const perPage = perRow * Math.floor(MAX_PAGE / thumb);
  const pages: AtlasLayout['pages'] = [];
  for (let start = 0; start < n; start += perPage) {
    const count = Math.min(perPage, n - start);
    pages.push({ width: perRow * thumb, height: Math.ceil(count / perRow) * thumb, count });
  }
  return { thumb, perRow, perPage, pages };
}

/** 64 px cells up to 16,384 images, 32 px beyond (GPU memory: 50,000 thumbnails in 13 pages of 2048²). */
export const thumbSizeFor = (n: number): number => (n <= 16_384 ? 64 : 32);

export async function buildAtlas(files: readonly string[], work: Work = {}, thumb = thumbSizeFor(files.length)): Promise<Atlas> {
  const layout = atlasLayout(files.length, thumb);
  const buffers = layout.pages.map((p) => new Uint8Array(p.width * p.height * 3).fill(96));
  let done = 0;
  await forEachLimit(files, async (file, i) => {
    work.signal?.throwIfAborted();
    const page = Math.floor(i / layout.perPage);
    const cell = i % layout.perPage;
    const x0 = (cell % layout.perRow) * thumb;
    const y0 = Math.floor(cell / layout.perRow) * thumb;
    try {
      const bytes = new Uint8Array(await fs.promises.readFile(file));
      const decoded = await decodeImage(file, bytes);
      const px = await decoded.image.clone().resize(thumb, thumb, { fit: 'cover' }).removeAlpha().raw().toBuffer();
      const buf = buffers[page];
      const w = layout.pages[page].width;
      for (let y = 0; y < thumb; y++) buf.set(px.subarray(y * thumb * 3, (y + 1) * thumb * 3), ((y0 + y) * w + x0) * 3);
    } catch {
      // Left grey: the embedding step has already named files that cannot be read.
    }
    done++;
    if ((done & 63) === 0)
      work.onProgress?.(done / files.length, `thumbnails ${done.toLocaleString('en-US')} / ${files.length.toLocaleString('en-US')}`);
  });
  const jpeg = await Promise.all(
    buffers.map(async (buf, p) => {
      const { width, height } = layout.pages[p];
      return new Uint8Array(
        await sharp(buf, { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
    }),
  );
  return { ...layout, jpeg };
}
