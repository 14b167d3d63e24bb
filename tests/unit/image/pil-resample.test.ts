// pil-resample.ts on its own: computing only a region gives the full resize's pixels there, an unchanged size is a
// copy, and the weights are PIL's (sum to one in 22-bit fixed point, widened when shrinking). Against torchvision
// itself: tests/integration/classify/torchvision-preprocess.test.ts and tests/unit/image/torchvision-crop.test.ts.
import { describe, expect, it } from 'vitest';
import { axisCoeffs, pilResizeBilinear } from '../../../main/image/pil-resample';

function noise(w: number, h: number, seed = 1): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < rgb.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    rgb[i] = s >>> 24;
  }
  return rgb;
}

describe('PIL bilinear resample', () => {
  it('a region is the same pixels as the full resize, cropped', () => {
    const src = noise(97, 61);
    for (const [outW, outH] of [
      [40, 30],
      [150, 90],
      [97, 20],
    ]) {
      const full = pilResizeBilinear(src, 97, 61, outW, outH);
      const r = { left: 7, top: 3, width: outW - 12, height: outH - 5 };
      const part = pilResizeBilinear(src, 97, 61, outW, outH, r);
      for (let y = 0; y < r.height; y++)
        expect(part.subarray(y * r.width * 3, (y + 1) * r.width * 3)).toEqual(
          full.subarray(((r.top + y) * outW + r.left) * 3, ((r.top + y) * outW + r.left + r.width) * 3),
        );
    }
  });

  it('the same size is a copy, and a region of it a plain crop', () => {
    const src = noise(20, 10);
    expect(pilResizeBilinear(src, 20, 10, 20, 10)).toEqual(src);
    expect(pilResizeBilinear(src, 20, 10, 20, 10, { left: 0, top: 4, width: 20, height: 2 })).toEqual(src.subarray(4 * 60, 6 * 60));
  });

  it('weights sum to one in fixed point, with taps over the widened triangle when shrinking', () => {
    const down = axisCoeffs(1000, 100); // 10x: support 10 source pixels either side
    const up = axisCoeffs(100, 1000); // upsampling keeps the triangle's support of 1: two taps
    for (const c of [down, up])
      for (let i = 0; i < c.first.length; i++) {
        const w = c.weights.subarray(i * c.stride, i * c.stride + c.count[i]);
        expect(Math.abs(w.reduce((a, b) => a + b, 0) - (1 << 22))).toBeLessThanOrEqual(c.count[i]);
      }
    expect(Math.max(...down.count)).toBe(20);
    expect(Math.max(...up.count)).toBeLessThanOrEqual(3);
    // Output 50 of the 10x shrink is centred on source 505: pixels 495..514 (centres 495.5..514.5, within 10 of 505).
    expect([down.first[50], down.count[50]]).toEqual([495, 20]);
  });

  it('refuses a region outside the output', () => {
    expect(() => pilResizeBilinear(noise(4, 4), 4, 4, 8, 8, { left: 4, top: 0, width: 5, height: 1 })).toThrow(/not inside 8x8/);
  });
});
