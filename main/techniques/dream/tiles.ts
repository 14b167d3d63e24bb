// Tiled gradients for DeepDream for images larger than a tile
// (google/deepdream's calc_grad_tiled: a random shift, then tiles, so seams move every step).
import type { Img } from '../create-shared/pixels';

export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Tiles of `size` covering the image; the last row/column overlaps its neighbour rather than leaving a sliver. */
export function tiles(width: number, height: number, size: number): Tile[] {
  const starts = (n: number): number[] => {
    if (n <= size) return [0];
    const out: number[] = [];
    for (let v = 0; v + size < n; v += size) out.push(v);
    out.push(n - size);
    return out;
  };
  const w = Math.min(size, width);
  const h = Math.min(size, height);
  return starts(height).flatMap((y) => starts(width).map((x) => ({ x, y, w, h })));
}

export function crop(img: Img, t: Tile): Img {
  const data = new Float32Array(3 * t.w * t.h);
  const plane = img.width * img.height;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < t.h; y++)
      data.set(
        img.data.subarray(c * plane + (t.y + y) * img.width + t.x, c * plane + (t.y + y) * img.width + t.x + t.w),
        c * t.w * t.h + y * t.w,
      );
  return { data, width: t.w, height: t.h };
}

export function paste(dst: Float32Array, width: number, height: number, src: Float32Array, t: Tile): void {
  const plane = width * height;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < t.h; y++)
      dst.set(src.subarray(c * t.w * t.h + y * t.w, c * t.w * t.h + (y + 1) * t.w), c * plane + (t.y + y) * width + t.x);
}
