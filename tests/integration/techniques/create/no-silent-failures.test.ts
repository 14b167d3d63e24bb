// No create tool finishes "successfully" without having done its work: on a project-built CNN, style
// transfer at a layer whose activations are ~1e-24 (an untrained deep net: its Gram target underflows
// float32) still runs every step with finite losses; an all-zero style layer, a NaN loss and an image
// smaller than the network takes are each refused before or as they happen, naming the layer and the reason.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../../main/api/contract';
import { aInt, aInts, floatTensor, type Model, type Node } from '../../../../main/onnx/ir';
import { encodeModel } from '../../../../main/onnx/proto';
import { ModelRegistry } from '../../../../main/models/registry';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { DreamParams, StyleParams } from '../../../../main/techniques/create-shared/params';
import { dream } from '../../../../main/techniques/dream/dream';
import { styleTransfer } from '../../../../main/techniques/style/style';
import { sharedModelsDir } from '../../../helpers/shared-models';
import { home, photo, recorder } from './helpers';

afterAll(async () => {
  await releaseRunner();
  home.cleanup();
});

const node = (name: string, opType: string, inputs: string[], attrs: Node['attrs'] = {}): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs: [name],
  attrs,
});
const weights = (name: string, dims: number[], seed: number, scale = 0.3) =>
  floatTensor(
    name,
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + seed) * scale),
  );

/**
 * x → conv1 3×3 → relu1_1 → pool1 → conv2 3×3 → relu2_1 → pool2 → conv3 9×9 VALID → relu3_1 → GAP → Gemm.
 * The 9×9 valid conv after two 2× pools makes 36 px the smallest input. `deep` scales conv2 and conv3
 * (so relu3_1 is ~1e-24 of relu1_1), `dead` gives conv3 a bias of −100 (relu3_1 always 0), `sqrt` adds
 * a Sqrt of conv1's output (negative values: NaN).
 */
function net(o: { deep?: number; dead?: boolean; sqrt?: boolean } = {}): Model {
  const k = o.deep ?? 1;
  const conv = (name: string, x: string, kernel: number, pad: number) =>
    node(name, 'Conv', [x, `${name}.w`, `${name}.b`], { kernel_shape: aInts([kernel, kernel]), pads: aInts([pad, pad, pad, pad]) });
  const pool = (name: string, x: string) => node(name, 'MaxPool', [x], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) });
  const nodes = [
    conv('conv1', 'x', 3, 1),
    node('relu1', 'Relu', ['conv1']),
    pool('pool1', 'relu1'),
    conv('conv2', 'pool1', 3, 1),
    node('relu2', 'Relu', ['conv2']),
    pool('pool2', 'relu2'),
    conv('conv3', 'pool2', 9, 0),
    node('relu3', 'Relu', ['conv3']),
    node('gap', 'GlobalAveragePool', ['relu3']),
    node('flat', 'Flatten', ['gap'], { axis: aInt(1) }),
    node('fc', 'Gemm', ['flat', 'fc.w', 'fc.b'], { transB: aInt(1) }),
  ];
  if (o.sqrt) nodes.push(node('root', 'Sqrt', ['conv1']));
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'test',
    baseDir: null,
    graph: {
      name: 'net',
      nodes,
      inputs: [{ name: 'x', elemType: 1, shape: [1, 3, 64, 64] }],
      outputs: [{ name: 'fc', elemType: 1 }, ...(o.sqrt ? [{ name: 'root', elemType: 1 }] : [])],
      initializers: new Map(
        [
          weights('conv1.w', [6, 3, 3, 3], 1),
          floatTensor('conv1.b', [6], [0.1, -0.1, 0.2, 0, 0.05, -0.05]),
          weights('conv2.w', [6, 6, 3, 3], 2, 0.3 * k),
          floatTensor('conv2.b', [6], new Array(6).fill(0.01 * k)),
          weights('conv3.w', [6, 6, 9, 9], 3, 0.05 * k),
          floatTensor('conv3.b', [6], new Array(6).fill(o.dead ? -100 : 0.001 * k * k)),
          weights('fc.w', [4, 6], 4),
          floatTensor('fc.b', [4], [0, 0, 0, 0]),
        ].map((t) => [t.name, t]),
      ),
      valueInfo: new Map(),
    },
  };
}

async function register(name: string, m: Model): Promise<ModelMeta> {
  const file = path.join(home.dir, `${name}.onnx`);
  fs.writeFileSync(file, encodeModel(m));
  return new ModelRegistry({ root: path.join(home.dir, 'models') }).resolveAsync(file);
}

const styleParams = (extra: Record<string, unknown> = {}) =>
  StyleParams.parse({
    modelId: 'x',
    content: photo('cat.png'),
    styles: [{ image: photo('sunflower.png') }],
    size: 64,
    steps: 4,
    init: 'noise',
    contentLayer: 'relu2_1',
    styleLayers: ['relu1_1', 'relu3_1'],
    ...extra,
  });

describe.skipIf(!sharedModelsDir)('no silent failures in the create tools', () => {
  it('style at a layer of ~1e-24 activations runs every step with finite, falling losses', async () => {
    const r = await styleTransfer(await register('deep', net({ deep: 1e-12 })), styleParams(), recorder().r);
    expect(r.steps).toBe(4);
    expect(Number.isFinite(r.lossStart) && Number.isFinite(r.lossEnd)).toBe(true);
    expect(r.lossEnd).toBeLessThan(r.lossStart);
    expect(Number.isFinite(r.parts.style.end)).toBe(true);
  }, 60_000);

  it('refuses a style layer whose activations are all zero, by name, instead of dividing by its zero Gram matrix', async () => {
    await expect(styleTransfer(await register('dead', net({ dead: true })), styleParams(), recorder().r)).rejects.toThrow(
      /style layer relu3_1: the style image's activations there are all zero, so there is nothing to match/,
    );
  }, 60_000);

  it('stops a dream whose loss is NaN, naming the layer', async () => {
    const p = DreamParams.parse({ modelId: 'x', image: photo('cat.png'), size: 64, steps: 2, octaves: 1, layers: ['root'] });
    await expect(dream(await register('sqrt', net({ sqrt: true })), p, recorder().r)).rejects.toThrow(/the loss is NaN at root \(/);
  }, 60_000);

  it('refuses octaves smaller than the network takes before running, with the smallest size and a fix', async () => {
    const meta = await register('plain', net());
    const run = async (size: number, octaves: number) => {
      const rec = recorder();
      const p = DreamParams.parse({ modelId: 'x', image: photo('cat.png'), size, steps: 1, octaves, layers: ['relu3_1'] });
      const err = await dream(meta, p, rec.r).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(rec.progress, 'nothing ran').toEqual([]);
      return err;
    };
    // cat.png is 3:2, so at --size 48 the image itself is 48×32: no octave count helps.
    expect(await run(48, 3)).toMatch(
      /accepts images of at least 36×36 px up to relu3_1; the smallest of 3 octaves would be 32×32: use a larger --size \(at least 54\)/,
    );
    expect(await run(80, 4)).toMatch(/the smallest of 4 octaves would be \d+×32: use --octaves 2 /);
  }, 60_000);
});
