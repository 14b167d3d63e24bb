// Selecting points on screen: lasso (a polygon the pointer drew) and box, tested against the points' projected
// screen positions; and the file list a selection exports. Pure functions of arrays, so they are easy to test.

export interface ScreenPoints {
  /** Pixel x, y per point (CSS pixels from the canvas's top-left); NaN when behind the camera. */
  x: Float32Array;
  y: Float32Array;
}

/** Even–odd rule: is (px, py) inside the polygon given as [x0, y0, x1, y1, …]? */
export function insidePolygon(px: number, py: number, poly: number[]): boolean {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function lassoSelect(points: ScreenPoints, poly: number[]): number[] {
  if (poly.length < 6) return [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < poly.length; i += 2) {
    minX = Math.min(minX, poly[i]);
    maxX = Math.max(maxX, poly[i]);
    minY = Math.min(minY, poly[i + 1]);
    maxY = Math.max(maxY, poly[i + 1]);
  }
  const out: number[] = [];
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i];
    const y = points.y[i];
    if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) continue; // also drops NaN
    if (insidePolygon(x, y, poly)) out.push(i);
  }
  return out;
}

export function boxSelect(points: ScreenPoints, x0: number, y0: number, x1: number, y1: number): number[] {
  const [lx, hx] = x0 < x1 ? [x0, x1] : [x1, x0];
  const [ly, hy] = y0 < y1 ? [y0, y1] : [y1, y0];
  const out: number[] = [];
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i];
    const y = points.y[i];
    if (x >= lx && x <= hx && y >= ly && y <= hy) out.push(i);
  }
  return out;
}

/** Replace, add (Shift) or remove (Alt) a set of points from the selection. */
export function combine(current: ReadonlySet<number>, picked: number[], how: 'replace' | 'add' | 'remove'): Set<number> {
  if (how === 'replace') return new Set(picked);
  const next = new Set(current);
  for (const i of picked) {
    if (how === 'add') next.add(i);
    else next.delete(i);
  }
  return next;
}

/** One path per line, in the set's order (sorted by folder, then name), for a text download. */
export function fileList(files: readonly string[], selected: ReadonlySet<number>): string {
  return [...selected]
    .sort((a, b) => a - b)
    .map((i) => files[i])
    .join('\n')
    .concat('\n');
}
