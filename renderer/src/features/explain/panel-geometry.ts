// The adversarial panel (main/techniques/adversarial/panel.ts: five square tiles side by side, 8 px apart, a
// 22 px caption strip under them) cut back into its tiles, so the page can show each one large with a caption
// it can read instead of the PNG's 11 px text scaled down.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const PAD = 8;
const CAPTION = 22;

/** Where the tiles lie in a panel of `width`×`height` holding `n` of them; null when the panel is not that shape. */
export function tileRects(width: number, height: number, n = 5): Rect[] | null {
  const side = height - CAPTION - 2 * PAD;
  if (side <= 0 || n * (side + PAD) + PAD !== width) return null;
  return Array.from({ length: n }, (_, i) => ({ x: PAD + i * (side + PAD), y: PAD, w: side, h: side }));
}
