// The image viewer's zoom and pan arithmetic: fit never stretches and centres, zoom keeps the point under the
// pointer still, a pan cannot lose the picture, the wipe follows the pointer across the picture.
import { describe, expect, it } from 'vitest';
import { centred, clampPan, fitScale, fitView, wheelFactor, wipeAt, zoomAt, zoomText } from '../../../renderer/src/components/viewer/zoom';

describe('viewer zoom', () => {
  it('fits a wide photo by its width and a tall one by its height, centred, one scale for both axes', () => {
    // 512×341 in 668×420: width-bound would be 1.305 but height allows only 1.232.
    const v = fitView(668, 420, 512, 341);
    expect(v.scale).toBeCloseTo(420 / 341, 6);
    expect(v.x + (512 * v.scale) / 2).toBeCloseTo(334, 6);
    expect(v.y).toBeCloseTo(0, 6);
    const tall = fitView(400, 400, 100, 200);
    expect(tall.scale).toBe(2);
    expect(tall.x).toBe(100);
    expect(fitScale(0, 10, 10, 10)).toBe(1);
  });

  it('keeps the toolbar band above a fitted picture free, unless the band would take over a quarter of the box', () => {
    // A square result in a 638×550 stage: fitted below a 44 px band, its top edge (the caption) is not under the toolbar.
    const v = fitView(638, 550, 224, 224, 44);
    expect(v.scale).toBeCloseTo(506 / 224, 6);
    expect(v.y).toBeCloseTo(44, 6);
    expect(v.y + 224 * v.scale).toBeCloseTo(550, 6);
    expect(v.x + (224 * v.scale) / 2).toBeCloseTo(319, 6);
    // A wide photo that leaves room above anyway is placed as without the band, centred in what is left.
    const wide = fitView(668, 420, 512, 200, 44);
    expect(wide.scale).toBeCloseTo(668 / 512, 6);
    expect(wide.y).toBeGreaterThanOrEqual(44);
    // A box of 120 px cannot give 44 to the toolbar: the picture uses it all.
    expect(fitView(120, 120, 10, 10, 44)).toEqual(fitView(120, 120, 10, 10));
    // Zooming in, a picture that fits the height slides up into the band as it grows, without a jump: at the size
    // that just fits below the band it is where fit put it, and at the box's height it touches the top.
    const at = (h: number) => clampPan({ scale: 1, x: 0, y: 999 }, 638, 550, 100, h, 44).y;
    expect(at(506)).toBeCloseTo(44, 9);
    expect(at(506.001)).toBeCloseTo(44, 2);
    expect(at(530)).toBeCloseTo(20, 9);
    expect(at(550)).toBeCloseTo(0, 9);
    expect(at(300)).toBeCloseTo(44 + (506 - 300) / 2, 9);
  });

  it('zooms about the pointer: the picture point under it stays put', () => {
    const v = { scale: 1, x: 10, y: 20 };
    const z = zoomAt(v, 2, 110, 70);
    // Picture point under (110, 70) before: ((110-10)/1, (70-20)/1) = (100, 50); after it must map to the same place.
    expect(z.x + 100 * z.scale).toBeCloseTo(110, 9);
    expect(z.y + 50 * z.scale).toBeCloseTo(70, 9);
    expect(z.scale).toBe(2);
    expect(zoomAt({ scale: 30, x: 0, y: 0 }, 4, 0, 0).scale).toBe(32);
  });

  it('keeps a pan inside the picture and centres an axis where the picture is smaller than the box', () => {
    const big = clampPan({ scale: 2, x: 500, y: -10_000 }, 300, 200, 400, 300);
    expect(big.x).toBe(0);
    expect(big.y).toBe(200 - 600);
    const small = clampPan({ scale: 0.5, x: 999, y: 999 }, 300, 200, 400, 300);
    expect(small).toEqual(centred(300, 200, 400, 300, 0.5));
  });

  it('turns a wheel notch into about ×1.2, in either direction, lines or pixels', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1.15);
    expect(wheelFactor(-100, 0)).toBeLessThan(1.25);
    expect(wheelFactor(100, 0) * wheelFactor(-100, 0)).toBeCloseTo(1, 9);
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48, 0), 9);
  });

  it('puts the wipe where the pointer is on the picture, clamped to its edges', () => {
    const v = { scale: 2, x: 100, y: 0 };
    expect(wipeAt(v, 200, 300)).toBe(50);
    expect(wipeAt(v, 200, 0)).toBe(0);
    expect(wipeAt(v, 200, 9999)).toBe(100);
  });

  it('reads out the zoom', () => {
    expect(zoomText(0.634, true)).toBe('Fit 63%');
    expect(zoomText(1, false)).toBe('100%');
    expect(zoomText(0.001, false)).toBe('1%');
  });
});

import { tileRects } from '../../../renderer/src/features/explain/panel-geometry';

describe('adversarial panel tiles', () => {
  it('finds five 224 px tiles in the panel the engine draws, and refuses another shape', () => {
    // panel.ts: W = 5·(224 + 8) + 8 = 1168, H = 224 + 22 + 2·8 = 262.
    const r = tileRects(1168, 262)!;
    expect(r).toHaveLength(5);
    expect(r[0]).toEqual({ x: 8, y: 8, w: 224, h: 224 });
    expect(r[4].x + r[4].w + 8).toBe(1168);
    expect(tileRects(1000, 262)).toBeNull();
  });
});
