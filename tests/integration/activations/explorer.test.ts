// activations.* through the engine's contract on the real MobileNetV2 and Tiny Darknet: atlas shapes, statistics
// against an independent ORT run of the exposed tensor, the byte and channel caps, single channels, bad input.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationsResult, type ActivationLayer, type Preprocessing } from '../../../main/api/contract';
import { releaseExposedModels } from '../../../main/activations/session';
import { Engine } from '../../../main/engine/engine';
import { decodeImage } from '../../../main/image/decode';
import { pixelsToTensor, resizeForModel } from '../../../main/image/preprocess';
import { loadModel, encodeModel } from '../../../main/onnx/proto';
import { truncateAt } from '../../../main/onnx/surgery';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome();
let engine: Engine;
const mobilenet = sharedPath('mobilenet_v2_1.0_224.onnx');
const darknet = sharedPath('tiny_darknet_224.onnx');
const photo = (f: string) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(sharedPath('photos', f))) });

beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
  engine = new Engine({ transport: 'test', emit: () => {} });
});
afterAll(async () => {
  await engine.dispose();
  await releaseExposedModels();
  home.cleanup();
});

async function run(params: Parameters<Engine['call']>[1] & object): Promise<ActivationsResult> {
  const { jobId } = await engine.call('activations.run', params as never);
  return ActivationsResult.parse(await engine.services.jobs.wait(jobId));
}
const floats = (b: Uint8Array) => new Float32Array(b.slice().buffer);

/** The tensor as an independent session computes it: the model truncated at it, Classify's preprocessing. */
async function reference(file: string, tensor: string, image: string): Promise<{ data: Float32Array; dims: number[] }> {
  const model = truncateAt(loadModel(file), [tensor]);
  const s = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const d = await decodeImage(image, photo(image).bytes);
  // MobileNetV2's sidecar: pixel / 128 − 1 on the whole photo resized to 224 × 224.
  const pre: Preprocessing = { channelOrder: 'RGB', layout: 'NCHW', scale: 1, mean: [128, 128, 128], std: [128, 128, 128], resize: 'fill' };
  const px = await resizeForModel(d.image, d.width, d.height, pre, [224, 224]);
  const out = await s.run({ input: new ort.Tensor('float32', pixelsToTensor(px, pre), [1, 3, 224, 224]) });
  await s.release();
  return { data: out[tensor].data as Float32Array, dims: [...out[tensor].dims] };
}

function statsOf(x: Float32Array, c: number, plane: number) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < plane; i++) {
    const v = x[c * plane + i];
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / plane;
  let sq = 0;
  for (let i = 0; i < plane; i++) sq += (x[c * plane + i] - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / plane) };
}

/** The atlas texel of channel c at tile position (tx, ty). */
const texel = (atlas: Uint8Array, l: ActivationLayer, c: number, tx: number, ty: number) =>
  atlas[(Math.floor(c / l.cols) * l.tileHeight + ty) * l.atlasWidth + (c % l.cols) * l.tileWidth + tx];

describe.skipIf(!sharedModelsDir)('activations.* on MobileNetV2', () => {
  let r: ActivationsResult;
  beforeAll(async () => {
    r = await run({ image: photo('cat.png'), modelId: mobilenet });
  }, 120_000);

  it('lists the layers in network order with the shared names, one atlas per layer', async () => {
    const names = r.layers.map((l) => l.name);
    expect(names[0]).toBe('Conv1_relu'); // bn_Conv1 only feeds its ReLU6: 'main' leaves it out
    expect(names).not.toContain('bn_Conv1');
    expect(names).toContain('layer3'); // block_12_add, named by the layer lister
    expect(names.indexOf('layer1')).toBeLessThan(names.indexOf('layer3'));
    expect(names.at(-1)).toBe('out_relu');
    expect(r.layers.find((l) => l.name === 'layer3')).toMatchObject({ tensor: 'block_12_add', channels: 96, height: 14, width: 14 });
    const got = await engine.call('activations.atlas', { key: r.key, layers: r.layers.map((_, i) => i).slice(0, 64) });
    for (const a of got.layers) {
      const l = r.layers[a.index];
      expect(a.atlas.byteLength).toBe(l.atlasWidth * l.atlasHeight);
      expect(a.stats.byteLength).toBe(4 * 4 * l.channels);
      expect(l.cols * l.rows).toBeGreaterThanOrEqual(l.shown);
      expect(l.cols * (l.rows - 1)).toBeLessThan(l.shown);
      expect(l.atlasWidth).toBe(l.cols * l.tileWidth);
      expect(Math.max(l.atlasWidth, l.atlasHeight)).toBeLessThanOrEqual(4096);
    }
    expect(got.layers.length).toBe(r.layers.length);
    expect(r.bytes).toBe(got.layers.reduce((n, a) => n + a.atlas.byteLength, 0));
  });

  it('statistics and atlas texels equal an independent ORT run of the exposed tensor', async () => {
    for (const name of ['Conv1_relu', 'block_6_project_BN', 'layer3', 'out_relu']) {
      const i = r.layers.findIndex((l) => l.name === name);
      const l = r.layers[i];
      const ref = await reference(mobilenet, l.tensor, 'cat.png');
      expect(ref.dims).toEqual([1, l.channels, l.height, l.width]);
      const [a] = (await engine.call('activations.atlas', { key: r.key, layers: [i] })).layers;
      const s = floats(a.stats);
      const n = l.channels;
      const plane = l.height * l.width;
      for (const c of [0, 1, Math.floor(n / 2), n - 1]) {
        const want = statsOf(ref.data, c, plane);
        const tol = 1e-4 * Math.max(1, Math.abs(want.max), Math.abs(want.min));
        expect(Math.abs(s[c] - want.min), `${name}[${c}] min`).toBeLessThan(tol);
        expect(Math.abs(s[n + c] - want.max), `${name}[${c}] max`).toBeLessThan(tol);
        expect(Math.abs(s[2 * n + c] - want.mean), `${name}[${c}] mean`).toBeLessThan(tol);
        expect(Math.abs(s[3 * n + c] - want.std), `${name}[${c}] std`).toBeLessThan(tol);
        if (c >= l.shown || l.downsample !== 1 || want.max === want.min) continue;
        // Texels: the channel scaled by its own min/max (±1 for float rounding between two sessions).
        for (const [x, y] of [
          [0, 0],
          [l.width - 1, l.height - 1],
          [Math.floor(l.width / 2), Math.floor(l.height / 3)],
        ]) {
          const v = ref.data[c * plane + y * l.width + x];
          const expected = Math.round((255 * (v - want.min)) / (want.max - want.min));
          expect(Math.abs(texel(a.atlas, l, c, x, y) - expected), `${name}[${c}] (${x},${y})`).toBeLessThanOrEqual(1);
        }
      }
    }
  }, 120_000);

  it('respects the channel cap and the byte budget, downsampling by box average, and says so', async () => {
    const small = await run({ image: photo('cat.png'), modelId: mobilenet, maxChannels: 16, maxBytes: 1 << 20 });
    expect(small.capped).toBe(true);
    expect(small.bytes).toBeLessThanOrEqual(1 << 20);
    const all = await engine.call('activations.atlas', { key: small.key, layers: small.layers.map((_, i) => i) });
    expect(all.layers.reduce((n, a) => n + a.atlas.byteLength, 0)).toBe(small.bytes);
    for (const l of small.layers) {
      expect(l.shown).toBe(Math.min(16, l.channels));
      if (l.channels > 16) expect(l.capped).toMatch(/first 16 of \d+ channels/);
    }
    const shrunk = small.layers.findIndex((l) => l.downsample > 1);
    expect(shrunk).toBeGreaterThanOrEqual(0);
    const l = small.layers[shrunk];
    expect(l.capped).toMatch(/1\/\d+\) to keep all layers within 1 MiB/);
    expect(l.tileWidth).toBe(Math.ceil(l.width / l.downsample));
    // One texel = the mean of its d × d cell, scaled by the channel's min/max.
    const ref = await reference(mobilenet, l.tensor, 'cat.png');
    const s = floats(all.layers[shrunk].stats);
    const d = l.downsample;
    const plane = l.height * l.width;
    const n = l.channels;
    const c = [...Array(l.shown).keys()].find((k) => s[n + k] > s[k])!; // a channel that is not constant
    let sum = 0;
    for (let y = d; y < 2 * d; y++) for (let x = 0; x < d; x++) sum += ref.data[c * plane + y * l.width + x];
    const want = Math.round(((sum / (d * d) - s[c]) * 255) / (s[n + c] - s[c]));
    expect(Math.abs(texel(all.layers[shrunk].atlas, l, c, 0, 1) - want)).toBeLessThanOrEqual(1);
    // The older run's key is gone once a newer run replaced it.
    await expect(engine.call('activations.atlas', { key: r.key, layers: [0] })).rejects.toMatchObject({ code: 'not_found' });
  }, 120_000);

  it('returns one channel at full resolution as floats and as an overlay PNG of the photo', async () => {
    const c = await engine.call('activations.channel', { image: photo('cat.png'), modelId: mobilenet, layer: 'layer3', channel: 7 });
    expect(c).toMatchObject({ layer: 'layer3', tensor: 'block_12_add', channel: 7, channels: 96, width: 14, height: 14 });
    const ref = await reference(mobilenet, 'block_12_add', 'cat.png');
    const map = floats(c.map);
    expect(map.length).toBe(196);
    for (let i = 0; i < 196; i += 13) expect(map[i]).toBeCloseTo(ref.data[7 * 196 + i], 4);
    const want = statsOf(ref.data, 7, 196);
    expect(c.stats.min).toBeCloseTo(want.min, 4);
    expect(c.stats.max).toBeCloseTo(want.max, 4);
    expect(c.stats.std).toBeCloseTo(want.std, 4);
    const meta = await sharp(Buffer.from(c.png)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', c.pngWidth, c.pngHeight]);
    expect([c.pngWidth, c.pngHeight]).toEqual([512, 341]); // the cat photo's own size
    // A layer the 'main' run left out (a pre-activation) is found too, by tensor name.
    const pre = await engine.call('activations.channel', { image: photo('cat.png'), modelId: mobilenet, layer: 'bn_Conv1', channel: 0 });
    expect([pre.width, pre.channels]).toEqual([112, 32]);
  }, 120_000);

  it('refuses bad photos, bad models, unknown layers and channels with the file and the reason', async () => {
    const { jobId } = await engine.call('activations.run', {
      image: { name: 'notes.txt', bytes: new TextEncoder().encode('hello') },
      modelId: mobilenet,
    });
    await expect(engine.services.jobs.wait(jobId)).rejects.toMatchObject({
      code: 'bad_image',
      message: expect.stringMatching(/^notes\.txt: not an image/),
    });
    const broken = path.join(home.dir, 'broken.onnx');
    fs.writeFileSync(broken, fs.readFileSync(mobilenet).subarray(0, 4000));
    const bad = engine
      .call('activations.run', { image: photo('cat.png'), modelId: broken })
      .then(({ jobId: id }) => engine.services.jobs.wait(id));
    await expect(bad).rejects.toMatchObject({ code: 'bad_model', message: expect.stringContaining('broken') });
    await expect(engine.call('activations.run', { image: photo('cat.png'), modelId: path.join(home.dir, 'none.onnx') })).rejects.toThrow(
      /none\.onnx/,
    );
    await expect(
      engine.call('activations.channel', { image: photo('cat.png'), modelId: mobilenet, layer: 'conv9_9', channel: 0 }),
    ).rejects.toThrow(/no feature map "conv9_9"/);
    await expect(
      engine.call('activations.channel', { image: photo('cat.png'), modelId: mobilenet, layer: 'layer3', channel: 96 }),
    ).rejects.toThrow(/layer3 has 96 channels \(0–95\); there is no channel 96/);
  }, 120_000);
});

describe.skipIf(!sharedModelsDir)('activations.* on Tiny Darknet', () => {
  it("'main' keeps what each layer hands on; 'all' adds the conv and batch-norm maps", async () => {
    const main = await run({ image: photo('bird.png'), modelId: darknet });
    expect(main.layers.map((l) => l.name).slice(0, 4)).toEqual(['relu1_1', 'pool1', 'relu2_1', 'pool2']);
    expect(main.capped).toBe(false);
    const all = await run({ image: photo('bird.png'), modelId: darknet, layers: 'all' });
    expect(all.layers.map((l) => l.name).slice(0, 4)).toEqual(['conv1_1', 'bn1_1', 'relu1_1', 'pool1']);
    expect(all.layers.length).toBeGreaterThan(main.layers.length * 2);
    expect(all.layers.find((l) => l.name === 'relu1_1')).toMatchObject({
      channels: 16,
      height: 224,
      width: 224,
      cols: 4,
      rows: 4,
      atlasWidth: 896,
    });
  }, 120_000);
});
