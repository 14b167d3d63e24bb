// The adversarial panel's tiles cut out on a canvas (see panel-geometry.ts for where they lie).
import { tileRects } from './panel-geometry';

/** The panel's tiles as PNG blob URLs (the caller revokes them). */
export async function panelTiles(png: Uint8Array, n = 5): Promise<string[]> {
  const bitmap = await createImageBitmap(new Blob([png as BlobPart], { type: 'image/png' }));
  try {
    const rects = tileRects(bitmap.width, bitmap.height, n);
    if (!rects) return [];
    return await Promise.all(
      rects.map(async (r) => {
        const c = new OffscreenCanvas(r.w, r.h);
        c.getContext('2d')!.drawImage(bitmap, r.x, r.y, r.w, r.h, 0, 0, r.w, r.h);
        return URL.createObjectURL(await c.convertToBlob({ type: 'image/png' }));
      }),
    );
  } finally {
    bitmap.close();
  }
}
