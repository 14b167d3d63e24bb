// Colormaps for heat maps: 256-entry RGB lookup tables. jet is matplotlib's piecewise-linear formula;
// viridis and inferno are matplotlib's maps sampled at nine points and interpolated (close to the
// originals and still perceptually ordered); gray is the identity.
export type ColormapName = 'jet' | 'viridis' | 'inferno' | 'gray';
export const COLORMAPS: readonly ColormapName[] = ['jet', 'viridis', 'inferno', 'gray'];

const ANCHORS: Record<'viridis' | 'inferno', number[][]> = {
  viridis: [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [40, 174, 128],
    [94, 201, 98],
    [173, 220, 48],
    [253, 231, 37],
  ],
  inferno: [
    [0, 0, 4],
    [31, 12, 72],
    [85, 15, 109],
    [136, 34, 106],
    [186, 54, 85],
    [227, 89, 51],
    [249, 142, 9],
    [248, 201, 50],
    [252, 255, 164],
  ],
};

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const luts = new Map<ColormapName, Uint8Array>();

/** [256 × 3] RGB table for the colormap. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = luts.get(name);
  if (lut) return lut;
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    let rgb: number[];
    if (name === 'jet')
      rgb = [clamp01(1.5 - Math.abs(4 * x - 3)), clamp01(1.5 - Math.abs(4 * x - 2)), clamp01(1.5 - Math.abs(4 * x - 1))].map(
        (v) => v * 255,
      );
    else if (name === 'gray') rgb = [i, i, i];
    else {
      const a = ANCHORS[name];
      const s = x * (a.length - 1);
      const k = Math.min(a.length - 2, Math.floor(s));
      const f = s - k;
      rgb = [0, 1, 2].map((c) => a[k][c] + (a[k + 1][c] - a[k][c]) * f);
    }
    lut.set(
      rgb.map((v) => Math.round(v)),
      i * 3,
    );
  }
  luts.set(name, lut);
  return lut;
}

/** CSS colour of the map at x in [0, 1] (for the colour bar's gradient stops). */
export function colormapCss(name: ColormapName, x: number): string {
  const lut = colormapLut(name);
  const i = Math.round(clamp01(x) * 255) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}
