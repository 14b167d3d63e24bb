// Point colours: one categorical palette for folders and predicted classes (Tableau's 10, then golden-angle hues
// so hundreds of ImageNet classes stay distinguishable), and a perceptual ramp (viridis) for confidence.
// Values are sRGB 0..1, as the sprite shader writes them unchanged.

const TABLEAU = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export type Rgb = [number, number, number];

const hex = (h: string): Rgb => [parseInt(h.slice(1, 3), 16) / 255, parseInt(h.slice(3, 5), 16) / 255, parseInt(h.slice(5, 7), 16) / 255];

function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)];
}

export function categorical(i: number): Rgb {
  if (i < TABLEAU.length) return hex(TABLEAU[i]);
  return hsl((i * 137.508) % 360, 0.55, 0.55);
}

// Viridis at 9 stops (matplotlib's), interpolated linearly.
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'].map(hex);

export function ramp(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export const css = ([r, g, b]: Rgb): string => `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`;
export const VIRIDIS_CSS = `linear-gradient(to right, ${VIRIDIS.map(css).join(', ')})`;

export type ColorBy = 'folder' | 'predicted' | 'confidence';

export interface ColorSource {
  labels: number[];
  predicted: number[] | null;
  confidence: number[] | null;
}

/** Categories ordered by how many points they have (the legend's order; the commonest get the clearest colours). */
export function rankByCount(values: number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([v]) => v);
}

/** n × 3 sRGB colours for the chosen colouring. */
export function pointColors(src: ColorSource, by: ColorBy): Float32Array {
  const n = src.labels.length;
  const out = new Float32Array(n * 3);
  if (by === 'confidence' && src.confidence) {
    for (let i = 0; i < n; i++) out.set(ramp(src.confidence[i]), i * 3);
    return out;
  }
  const values = by === 'predicted' && src.predicted ? src.predicted : src.labels;
  // Folders keep their sorted order (stable colours); predicted classes are coloured by frequency.
  const slot = new Map<number, number>();
  if (by === 'predicted') rankByCount(values).forEach((v, i) => slot.set(v, i));
  for (let i = 0; i < n; i++) out.set(categorical(slot.get(values[i]) ?? values[i]), i * 3);
  return out;
}
