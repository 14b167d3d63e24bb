// Heat map over the photo at its original resolution: colormap, opacity, threshold, blended /
// side-by-side / mask-only, a colour bar and the class + probability, encoded as PNG by sharp.
// Blending is a per-pixel loop (the map is already upsampled); the text and the bar are an SVG layer.
import sharp from 'sharp';
import { colormapCss, colormapLut, type ColormapName } from './colormap';

export type OverlayMode = 'blended' | 'side-by-side' | 'mask-only';
export const OVERLAY_MODES: readonly OverlayMode[] = ['blended', 'side-by-side', 'mask-only'];

export interface OverlayOptions {
  colormap: ColormapName;
  /** Weight of the heat map in the blend, 0..1. */
  opacity: number;
  /** Values below this (0..1) are not coloured. */
  threshold: number;
  mode: OverlayMode;
  colorbar: boolean;
  /** Caption, e.g. "tabby cat 71.2%"; omitted when empty. */
  label?: string;
}

export const DEFAULT_OVERLAY: OverlayOptions = { colormap: 'jet', opacity: 0.5, threshold: 0, mode: 'blended', colorbar: true };

export interface RgbLike {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Colours the map into RGB; NaN (outside the model's view) and sub-threshold pixels keep the photo (or black for mask-only). */
export function blend(image: RgbLike, map: Float32Array, o: OverlayOptions): Uint8Array {
  const lut = colormapLut(o.colormap);
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  const maskOnly = o.mode === 'mask-only';
  const a = maskOnly ? 1 : Math.min(1, Math.max(0, o.opacity));
  for (let i = 0; i < n; i++) {
    const v = map[i];
    const j = i * 3;
    if (!(v >= o.threshold) || Number.isNaN(v)) {
      if (!maskOnly) out.set(image.rgb.subarray(j, j + 3), j);
      continue;
    }
    const k = Math.round(Math.min(1, Math.max(0, v)) * 255) * 3;
    for (let c = 0; c < 3; c++) out[j + c] = Math.round(image.rgb[j + c] * (1 - a) + lut[k + c] * a);
  }
  return out;
}

const esc = (s: string) => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The SVG layer: caption top-left, vertical colour bar bottom-right (0 at the bottom). */
function decorations(width: number, height: number, o: OverlayOptions): Buffer | null {
  if (!o.colorbar && !o.label) return null;
  const unit = Math.max(10, Math.round(Math.min(width, height) / 30));
  const parts: string[] = [];
  if (o.label) {
    const text = esc(o.label);
    const w = Math.min(width - unit, Math.round(text.length * unit * 0.62 + unit));
    parts.push(`<rect x="${unit / 2}" y="${unit / 2}" width="${w}" height="${unit * 1.6}" rx="${unit / 4}" fill="rgba(0,0,0,0.6)"/>`);
    parts.push(
      `<text x="${unit}" y="${unit * 1.7}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${unit}" fill="#fff">${text}</text>`,
    );
  }
  if (o.colorbar) {
    const bw = Math.round(unit * 0.9);
    const bh = Math.round(Math.min(height * 0.4, unit * 10));
    const x = width - bw - unit * 2.4;
    const y = height - bh - unit;
    const stops = Array.from(
      { length: 11 },
      (_, i) => `<stop offset="${i * 10}%" stop-color="${colormapCss(o.colormap, 1 - i / 10)}"/>`,
    ).join('');
    const fs = Math.round(unit * 0.7);
    parts.push(`<defs><linearGradient id="cb" x1="0" y1="0" x2="0" y2="1">${stops}</linearGradient></defs>`);
    parts.push(
      `<rect x="${x - unit * 0.3}" y="${y - unit * 0.3}" width="${bw + unit * 2.5}" height="${bh + unit * 0.6}" rx="${unit / 4}" fill="rgba(0,0,0,0.5)"/>`,
    );
    parts.push(`<rect x="${x}" y="${y}" width="${bw}" height="${bh}" fill="url(#cb)" stroke="#fff" stroke-width="1"/>`);
    const tick = (t: string, ty: number) =>
      `<text x="${x + bw + unit * 0.3}" y="${ty}" font-family="DejaVu Sans, sans-serif" font-size="${fs}" fill="#fff">${t}</text>`;
    parts.push(tick('high', y + fs), tick('low', y + bh));
    if (o.threshold > 0) {
      const ty = y + bh * (1 - o.threshold);
      parts.push(`<line x1="${x - 3}" x2="${x + bw + 3}" y1="${ty}" y2="${ty}" stroke="#fff" stroke-width="2"/>`);
    }
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`);
}

/** The overlay as PNG bytes at the photo's resolution (twice as wide side by side). */
export async function renderOverlay(image: RgbLike, map: Float32Array, o: OverlayOptions): Promise<Buffer> {
  const { width, height } = image;
  const colored = blend(image, map, o);
  let rgb = colored;
  let outW = width;
  if (o.mode === 'side-by-side') {
    // Photo on the left, overlay on the right, row by row.
    outW = width * 2;
    rgb = new Uint8Array(outW * height * 3);
    const row = width * 3;
    for (let y = 0; y < height; y++) {
      rgb.set(image.rgb.subarray(y * row, (y + 1) * row), y * 2 * row);
      rgb.set(colored.subarray(y * row, (y + 1) * row), y * 2 * row + row);
    }
  }
  let base = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: outW, height, channels: 3 } });
  const svg = decorations(outW, height, o);
  if (svg) base = base.composite([{ input: svg, left: 0, top: 0 }]);
  return base.png({ compressionLevel: 6 }).toBuffer();
}
