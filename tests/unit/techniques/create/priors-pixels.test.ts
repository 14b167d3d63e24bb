// The JavaScript pieces of the create tools: TV^β and α-norm gradients against finite differences, Gram
// matrices, luminance-only colour transfer, tiles and working sizes.
import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../../../main/api/contract';
import { blend, gramOf } from '../../../../main/techniques/create-shared/gram';
import { fitSize, mergeLuminance, splitLuminance, type Img } from '../../../../main/techniques/create-shared/pixels';
import { alphaPrior, tvPrior } from '../../../../main/techniques/create-shared/regularisers';
import { tiles } from '../../../../main/techniques/dream/tiles';
import { seededRng } from '../../../../main/optim/rng';

const pre: Preprocessing = {
  channelOrder: 'BGR',
  layout: 'NCHW',
  scale: 1 / 255,
  mean: [0.4, 0.45, 0.5],
  std: [0.25, 0.2, 0.3],
  resize: 'fill',
};

function fdCheck(f: (img: Img, g: Float32Array) => number, img: Img, h = 1e-3): void {
  const g = new Float32Array(img.data.length);
  f(img, g);
  const rng = seededRng(1);
  for (let k = 0; k < 12; k++) {
    const i = rng.int(0, img.data.length - 1);
    const x = img.data[i];
    img.data[i] = x + h;
    const up = f(img, new Float32Array(img.data.length));
    img.data[i] = x - h;
    const down = f(img, new Float32Array(img.data.length));
    img.data[i] = x;
    const fd = (up - down) / (2 * h);
    expect(Math.abs(fd - g[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
  }
}

const rand = (w: number, h: number, seed: number): Img => {
  const r = seededRng(seed);
  return { data: Float32Array.from({ length: 3 * w * h }, () => r.next() * 2 - 1), width: w, height: h };
};

describe('image priors', () => {
  it('TV^β (β = 2 and 1.5) has the gradient it reports', () => {
    fdCheck((img, g) => tvPrior(img, pre, 2, 1e-3, g), rand(7, 5, 2));
    fdCheck((img, g) => tvPrior(img, pre, 1.5, 1e-2, g), rand(6, 6, 3));
  });
  it('α-norm (α = 6) has the gradient it reports', () => {
    fdCheck((img, g) => alphaPrior(img, pre, 6, 1e-12, g), rand(5, 4, 4), 1e-4);
  });
  it('a flat image has no total variation', () => {
    const img = { data: new Float32Array(3 * 16).fill(0.3), width: 4, height: 4 };
    expect(tvPrior(img, pre, 2, 1, new Float32Array(48))).toBeLessThan(1e-6);
  });
});

describe('Gram matrices', () => {
  it('G = F·Fᵀ / (C·H·W), symmetric; blending weights by Σw', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4, 0, 1, 0, 1]), dims: [1, 2, 2, 2] };
    const g = gramOf(a);
    expect([...g.data]).toEqual([30 / 8, 6 / 8, 6 / 8, 2 / 8]);
    const b = blend([g, { data: new Float32Array(4), dims: g.dims }], [3, 1]);
    expect(b.data[0]).toBeCloseTo((30 / 8) * 0.75);
  });
});

describe('colour preservation', () => {
  it('keeps the luminance of the styled image and the colour of the content', () => {
    const content = Uint8Array.from([200, 40, 40, 30, 180, 60]);
    const { i, q } = splitLuminance(content);
    const styled = Uint8Array.from([128, 128, 128, 60, 60, 60]);
    const out = mergeLuminance(styled, i, q);
    const y = (d: Uint8Array, k: number) => 0.299 * d[3 * k] + 0.587 * d[3 * k + 1] + 0.114 * d[3 * k + 2];
    expect(Math.abs(y(out, 0) - 128)).toBeLessThan(2);
    expect(out[0]).toBeGreaterThan(out[1]); // still red
    expect(out[4]).toBeGreaterThan(out[3]); // still green
  });
});

describe('sizes and tiles', () => {
  it('fits the longer side and rounds to the stride', () => {
    expect(fitSize(512, 384, 256, 8)).toEqual({ width: 256, height: 192 });
    expect(fitSize(100, 1000, 64, 32)).toEqual({ width: 32, height: 64 });
  });
  it('covers the image with full tiles, overlapping at the far edges', () => {
    const t = tiles(300, 200, 128);
    expect(t.every((x) => x.w === 128 && x.h === 128)).toBe(true);
    expect(Math.max(...t.map((x) => x.x + x.w))).toBe(300);
    expect(Math.max(...t.map((x) => x.y + x.h))).toBe(200);
    expect(tiles(100, 90, 128)).toEqual([{ x: 0, y: 0, w: 100, h: 90 }]);
  });
});
