// DeepDream and style transfer on vision transformers in miniature (tests/helpers/transformer-graphs.ts):
// a ViT whose token sequences are the feature maps (on their patch grid) and which takes one input size only,
// and a Swin-like net whose maps are channels last. Each run does its steps with finite losses, changes the
// picture, picks token / channels-last layers by default, and says that it ran at the model's own size.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../../main/api/contract';
import { ModelRegistry } from '../../../../main/models/registry';
import type { Model } from '../../../../main/onnx/ir';
import { encodeModel } from '../../../../main/onnx/proto';
import {
  createModel,
  defaultContentLayer,
  defaultDreamLayer,
  defaultStyleLayers,
  layer,
} from '../../../../main/techniques/create-shared/model';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { DreamParams, StyleParams } from '../../../../main/techniques/create-shared/params';
import { dream } from '../../../../main/techniques/dream/dream';
import { styleTransfer } from '../../../../main/techniques/style/style';
import { tinySwin, tinyVit } from '../../../helpers/transformer-graphs';
import { home, pixels, psnr, recorder } from './helpers';

afterAll(async () => {
  await releaseRunner();
  home.cleanup();
});

async function register(name: string, m: Model): Promise<ModelMeta> {
  const file = path.join(home.dir, `${name}.onnx`);
  fs.writeFileSync(file, encodeModel(m));
  return new ModelRegistry({ root: path.join(home.dir, 'models') }).resolveAsync(file);
}

/** A 60×40 picture (3:2, so the centre crop shows) of smooth colour waves. */
async function picture(name: string, seed: number): Promise<{ name: string; bytes: Uint8Array }> {
  const [w, h] = [60, 40];
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++)
        rgb[(y * w + x) * 3 + c] = Math.round(127.5 + 110 * Math.sin(x * (0.21 + 0.05 * c) + y * 0.13 * seed + c));
  return {
    name,
    bytes: new Uint8Array(
      await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  };
}

/** The picture as the tool sees it at the model's size: scaled to cover 32×32, centre-cropped. */
async function cropped(p: { bytes: Uint8Array }): Promise<Buffer> {
  return sharp(Buffer.from(p.bytes)).resize(32, 32, { fit: 'cover', kernel: 'linear' }).removeAlpha().raw().toBuffer();
}

describe('create tools on vision transformers', () => {
  it('ViT: token layers by default; DeepDream at its only size (32×32, one octave, said so) ascends and changes the picture', async () => {
    const meta = await register('tiny-vit', tinyVit().model);
    const cm = createModel(meta);
    for (const name of [defaultDreamLayer(cm), defaultContentLayer(cm), ...defaultStyleLayers(cm)]) {
      expect(layer(cm, name).view?.kind, name).toBe('tokens');
      expect(layer(cm, name).shape, name).toEqual([1, expect.any(Number), 4, 4]);
    }
    const image = await picture('waves.png', 1);
    const p = DreamParams.parse({ modelId: 'x', image, size: 96, octaves: 3, steps: 4, jitter: 0 });
    const r = await dream(meta, p, recorder().r);
    expect([r.width, r.height, r.steps]).toEqual([32, 32, 4]);
    expect(r.notes[0]).toMatch(/tiny-vit takes exactly 32×32 px images .*cropped to the centre.* dreamed in 1 octave \(not 3\)/);
    expect(Number.isFinite(r.lossStart) && r.lossEnd > r.lossStart).toBe(true);
    const out = await pixels(r.bytes);
    expect(psnr(out.data, await cropped(image))).toBeLessThan(40);
  }, 60_000);

  it('ViT: style transfer at its only size lowers the loss and moves the content toward the style', async () => {
    const meta = await register('tiny-vit-style', tinyVit().model);
    const content = await picture('content.png', 1);
    const p = StyleParams.parse({ modelId: 'x', content, styles: [{ image: await picture('style.png', 3) }], size: 128, steps: 8 });
    const r = await styleTransfer(meta, p, recorder().r);
    expect([r.width, r.height, r.steps]).toEqual([32, 32, 8]);
    expect(r.notes[0]).toMatch(/takes exactly 32×32 px images .*content and style images were scaled to cover 32×32/);
    expect(r.lossEnd).toBeLessThan(r.lossStart * 0.9);
    expect(r.parts.style.end).toBeLessThan(r.parts.style.start);
    expect(psnr((await pixels(r.bytes)).data, await cropped(content))).toBeLessThan(40);
  }, 60_000);

  it('Swin-like: channels-last stages as style layers; style and dream run and change the picture', async () => {
    const meta = await register('tiny-swin', tinySwin().model);
    const cm = createModel(meta);
    const style = defaultStyleLayers(cm);
    expect(style.length).toBeGreaterThan(0);
    for (const name of style) expect(layer(cm, name).view?.kind, name).toBe('channels-last');
    const content = await picture('content.png', 2);
    const s = await styleTransfer(
      meta,
      StyleParams.parse({ modelId: 'x', content, styles: [{ image: await picture('style.png', 4) }], size: 32, steps: 6 }),
      recorder().r,
    );
    expect(s.steps).toBe(6);
    expect(s.lossEnd).toBeLessThan(s.lossStart);
    const d = await dream(meta, DreamParams.parse({ modelId: 'x', image: content, size: 32, octaves: 1, steps: 3 }), recorder().r);
    expect(d.steps).toBe(3);
    expect(d.lossEnd).toBeGreaterThan(d.lossStart);
    expect(psnr((await pixels(d.bytes)).data, await cropped(content))).toBeLessThan(40);
  }, 60_000);
});
