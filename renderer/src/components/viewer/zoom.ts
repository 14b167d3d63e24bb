// Zoom and pan of one picture in a box, as plain numbers: `scale` maps picture pixels to screen pixels and
// (x, y) is where the picture's top-left corner sits in the box. Pure, so the viewer's maths is unit-tested.

/** How a second picture (the input, or run A) is shown over the result: not at all, left of a wipe, half-transparent, or alone. */
export type CompareMode = 'off' | 'wipe' | 'overlay' | 'before';

export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 32;

const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** The scale at which the whole picture fits the box (never stretched: one scale for both axes). */
export function fitScale(boxW: number, boxH: number, picW: number, picH: number): number {
  if (picW <= 0 || picH <= 0 || boxW <= 0 || boxH <= 0) return 1;
  return clampScale(Math.min(boxW / picW, boxH / picH));
}

/** The picture at `scale`, centred in the box. */
export function centred(boxW: number, boxH: number, picW: number, picH: number, scale: number): View {
  return { scale, x: (boxW - picW * scale) / 2, y: (boxH - picH * scale) / 2 };
}

/**
 * Fit: the whole picture, centred in the box below a band of `top` px (the viewer's toolbar, so it does not cover
 * the picture's top edge, where result captions are drawn). The band is given up when it would take more than
 * a quarter of the box.
 */
export function fitView(boxW: number, boxH: number, picW: number, picH: number, top = 0): View {
  const band = bandFor(top, boxH);
  const scale = fitScale(boxW, boxH - band, picW, picH);
  return { scale, x: (boxW - picW * scale) / 2, y: belowBand(boxH, picH * scale, band) };
}

/** The toolbar band in use: none when it would take more than a quarter of the box. */
const bandFor = (top: number, boxH: number): number => (top > 0 && top <= boxH / 4 ? top : 0);

/**
 * Where a picture `size` tall that fits the box goes down it: centred below the band while it fits there, then
 * sliding up into the band as it grows (continuous, so a zoom about the pointer does not jump).
 */
function belowBand(boxH: number, size: number, band: number): number {
  const used = Math.max(0, Math.min(band, boxH - size));
  return used + (boxH - used - size) / 2;
}

/** Multiplies the scale by `factor`, keeping the picture point under (px, py) where it is. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const scale = clampScale(v.scale * factor);
  const k = scale / v.scale;
  return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
}

/**
 * Keeps the picture reachable after a pan: along an axis where it is smaller than the box it stays centred
 * (down, below the toolbar band `top` as fitView places it), where it is larger no empty margin wider than the
 * box's slack opens at either edge.
 */
export function clampPan(v: View, boxW: number, boxH: number, picW: number, picH: number, top = 0): View {
  const axis = (pos: number, box: number, size: number, centre: number): number =>
    size <= box ? centre : Math.min(0, Math.max(box - size, pos));
  const w = picW * v.scale;
  const h = picH * v.scale;
  return { scale: v.scale, x: axis(v.x, boxW, w, (boxW - w) / 2), y: axis(v.y, boxH, h, belowBand(boxH, h, bandFor(top, boxH))) };
}

/** Wheel delta (pixels or lines) to a zoom factor: one notch of a mouse wheel is about ×1.2. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-300, Math.min(300, px)) * 0.0018);
}

/** The wipe position (0–100 % of the picture's width) for a pointer at screen x. */
export function wipeAt(v: View, picW: number, clientX: number): number {
  if (picW <= 0) return 50;
  return Math.min(100, Math.max(0, ((clientX - v.x) / (picW * v.scale)) * 100));
}

/** What the zoom read-out says: "Fit 63%" or "200%". */
export function zoomText(scale: number, fitted: boolean): string {
  return `${fitted ? 'Fit ' : ''}${Math.max(1, Math.round(scale * 100))}%`;
}
