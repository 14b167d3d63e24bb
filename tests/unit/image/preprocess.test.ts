import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Preprocessing } from '../../../main/api/contract';
import { pixelsToTensor, resizeForModel, tensorToPixels } from '../../../main/image/preprocess';

const imagenet: Preprocessing = {
  channelOrder: 'RGB',
  layout: 'NCHW',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  resize: 'shorter-then-crop',
  resizeTo: 256,
};

describe('pixelsToTensor', () => {
  it('applies (pixel*scale - mean)/std per channel in NCHW planes', () => {
    const rgb = new Uint8Array([255, 0, 128, 10, 20, 30]); // 2 pixels
    const t = pixelsToTensor({ rgb, width: 2, height: 1 }, imagenet);
    expect(t.length).toBe(6);
    expect(t[0]).toBeCloseTo((1 - 0.485) / 0.229, 5); // R of pixel 0
    expect(t[1]).toBeCloseTo((10 / 255 - 0.485) / 0.229, 5); // R of pixel 1
    expect(t[2]).toBeCloseTo((0 - 0.456) / 0.224, 5); // G plane starts at index 2
    expect(t[5]).toBeCloseTo((30 / 255 - 0.406) / 0.225, 5);
  });

  it('swaps to BGR and subtracts Caffe means without std', () => {
    const caffe: Preprocessing = { ...imagenet, channelOrder: 'BGR', scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1] };
    const t = pixelsToTensor({ rgb: new Uint8Array([200, 100, 50]), width: 1, height: 1 }, caffe);
    expect([...t].map((v) => +v.toFixed(3))).toEqual([50 - 103.939, 100 - 116.779, 200 - 123.68].map((v) => +v.toFixed(3)));
  });

  it('writes NHWC interleaved and round-trips through tensorToPixels', () => {
    const pre: Preprocessing = { ...imagenet, layout: 'NHWC' };
    const rgb = new Uint8Array([1, 2, 3, 250, 251, 252]);
    const t = pixelsToTensor({ rgb, width: 2, height: 1 }, pre);
    expect(t[1]).toBeCloseTo((2 / 255 - 0.456) / 0.224, 5);
    expect([...tensorToPixels(t, pre, 2, 1)]).toEqual([...rgb]);
    const nchw = pixelsToTensor({ rgb, width: 2, height: 1 }, imagenet);
    expect([...tensorToPixels(nchw, imagenet, 2, 1)]).toEqual([...rgb]);
  });
});

describe('resizeForModel', () => {
  // A 400x200 image: left half red, right half blue, with a green square in the centre.
  async function testImage() {
    const w = 400,
      h = 200;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const green = Math.abs(x - 200) < 40 && Math.abs(y - 100) < 40;
        raw[i] = !green && x < 200 ? 255 : 0;
        raw[i + 1] = green ? 255 : 0;
        raw[i + 2] = !green && x >= 200 ? 255 : 0;
      }
    return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  }

  it('shorter-then-crop keeps the aspect ratio and takes the centre', async () => {
    const px = await resizeForModel(await testImage(), 400, 200, imagenet, [224, 224]);
    expect([px.width, px.height]).toEqual([224, 224]);
    // 400x200 -> 512x256 -> centre 224: the green square (80px -> 102px) sits in the middle, red on the left edge.
    const at = (x: number, y: number) => [...px.rgb.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3)];
    expect(at(112, 112)).toEqual([0, 255, 0]);
    expect(at(2, 112)[0]).toBe(255);
    expect(at(221, 112)[2]).toBe(255);
    // What only the crop path gives: the 80 px square stays square at 80·256/200 ≈ 102 px (fill would make it
    // 45 × 90).
    const greenRun = (pick: (k: number) => number[]) => Array.from({ length: 224 }, (_, k) => pick(k)).filter((c) => c[1] > 128).length;
    const wide = greenRun((k) => at(k, 112));
    const tall = greenRun((k) => at(112, k));
    expect(Math.abs(wide - 102.4)).toBeLessThan(3);
    expect(Math.abs(tall - 102.4)).toBeLessThan(3);
  });

  it('shorter-then-crop is not fill: the same checks fail on a squashed image', async () => {
    const px = await resizeForModel(await testImage(), 400, 200, { ...imagenet, resize: 'fill' }, [224, 224]);
    const at = (x: number, y: number) => [...px.rgb.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3)];
    const wide = Array.from({ length: 224 }, (_, k) => at(k, 112)).filter((c) => c[1] > 128).length;
    expect(Math.abs(wide - 102.4)).toBeGreaterThan(30);
  });

  it('fill squashes the whole image to the input size', async () => {
    const px = await resizeForModel(await testImage(), 400, 200, { ...imagenet, resize: 'fill' }, [100, 100]);
    expect([px.width, px.height]).toEqual([100, 100]);
    const at = (x: number, y: number) => [...px.rgb.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    expect(at(0, 50)).toEqual([255, 0, 0]);
    expect(at(99, 50)).toEqual([0, 0, 255]);
    expect(at(50, 50)).toEqual([0, 255, 0]);
    // the green square spans 80/400 of the width: 20 px after the squash
    expect(at(38, 50)[1]).toBe(0);
  });
});
