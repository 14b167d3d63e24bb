// A surface sampled on a grid for drawing: the value f and the drawn height t ∈ [0, 1] (log10(1 + f − min) for
// surfaces spanning decades, linear otherwise), shared by the 3-D mesh and the contour view so both agree.
import type { Surface } from '../../../../main/playground/surfaces';

export interface Field {
  surface: Surface;
  /** Samples per side (n × n grid, x fastest). */
  n: number;
  f: Float64Array;
  /** Drawn height in [0, 1] per sample. */
  t: Float64Array;
  /** Drawn height of any value (clamped to [0, 1.15] so a diverging path stays near the box). */
  heightOf(f: number): number;
  /** Grid coordinates of sample i, j. */
  x(i: number): number;
  y(j: number): number;
}

export function sampleField(surface: Surface, n = 161): Field {
  const [x0, x1] = surface.domain.x;
  const [y0, y1] = surface.domain.y;
  const x = (i: number) => x0 + ((x1 - x0) * i) / (n - 1);
  const y = (j: number) => y0 + ((y1 - y0) * j) / (n - 1);
  const f = new Float64Array(n * n);
  let fmin = Infinity;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const v = surface.f(x(i), y(j));
      f[j * n + i] = v;
      if (v < fmin) fmin = v;
    }
  const raw = (v: number) => (surface.logHeight ? Math.log10(1 + Math.max(0, v - fmin)) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of f) {
    const r = raw(v);
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  const span = hi - lo || 1;
  const heightOf = (v: number) => {
    const h = (raw(v) - lo) / span;
    return Number.isFinite(h) ? Math.min(1.15, Math.max(-0.15, h)) : v < 0 ? -0.15 : 1.15;
  };
  const t = Float64Array.from(f, (v) => Math.min(1, Math.max(0, (raw(v) - lo) / span)));
  return { surface, n, f, t, heightOf, x, y };
}

/** Contour levels: evenly spaced in drawn height, so log surfaces get lines per decade-ish. */
export function contourLevels(count: number): number[] {
  return Array.from({ length: count }, (_, k) => (k + 0.5) / count);
}
