// Numbers as the explorer shows them: activation values with 3–4 significant digits, exponents for tiny ones.
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

export const shapeText = (c: number, h: number, w: number): string => `${c} × ${h} × ${w}`;

/** CSS gradient stops of the overlay colormaps (the engine's tables: matplotlib's jet formula, viridis/inferno anchors). */
const STOPS: Record<string, string[]> = {
  viridis: ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'],
  inferno: ['#000004', '#1f0c48', '#550f6d', '#88226a', '#ba3655', '#e35933', '#f98e09', '#f8c932', '#fcffa4'],
  jet: ['#00007f', '#0000ff', '#007fff', '#00ffff', '#7fff7f', '#ffff00', '#ff7f00', '#ff0000', '#7f0000'],
  gray: ['#000000', '#ffffff'],
};

export const gradientCss = (cmap: string, direction = 'to right'): string =>
  `linear-gradient(${direction}, ${(STOPS[cmap] ?? STOPS.gray).join(', ')})`;
