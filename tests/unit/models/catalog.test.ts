// The shipped catalog: every entry downloadable, verifiable and runnable with the contract's preprocessing.
import { describe, expect, it } from 'vitest';
import { Preprocessing } from '../../../main/api/contract';
import { loadCatalog } from '../../../main/models/catalog';
import { loadLabels } from '../../../main/models/labels';

const catalog = loadCatalog();
const byId = (id: string) => catalog.find((m) => m.id === id)!;

describe('resources/catalog.json', () => {
  it('holds the required ImageNet classifiers', () => {
    for (const id of [
      'vgg16-12',
      'vgg19-7',
      'resnet18-v1-7',
      'resnet50-v1-7',
      'resnet50-v2-7',
      'googlenet-12',
      'bvlcalexnet-12',
      'densenet-12',
      'squeezenet1.1-7',
      'mobilenetv2-12',
    ])
      expect(byId(id), id).toBeDefined();
  });

  it.each(catalog.map((m) => [m.id, m] as const))('%s is complete and valid', (_id, m) => {
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.sizeBytes).toBeGreaterThan(1_000_000);
    expect(m.url).toMatch(/^https:\/\/media\.githubusercontent\.com\/media\/onnx\/models\/.+\.onnx$/);
    expect(m.url.endsWith(`/${m.id}.onnx`)).toBe(true);
    expect(() => Preprocessing.parse(m.preprocessing)).not.toThrow();
    expect(m.inputSize).toEqual([224, 224]);
    expect(m.numClasses).toBe(1000);
    expect(loadLabels(m.labels)).toHaveLength(m.numClasses + m.labelOffset);
    expect(m.license).toBeTruthy();
    expect(m.inputName && m.outputName).toBeTruthy();
    if (m.preprocessing.resize !== 'fill') expect(m.preprocessing.resizeTo).toBeGreaterThanOrEqual(m.inputSize[0]);
  });

  it('has unique ids and sha256s', () => {
    expect(new Set(catalog.map((m) => m.id)).size).toBe(catalog.length);
    expect(new Set(catalog.map((m) => m.sha256)).size).toBe(catalog.length);
  });

  it('maps the Caffe family to BGR with R/G/B means swapped into BGR order, no std, plain resize', () => {
    for (const id of ['googlenet-12', 'bvlcalexnet-12']) {
      const p = byId(id).preprocessing;
      expect(p).toMatchObject({ channelOrder: 'BGR', layout: 'NCHW', scale: 1, std: [1, 1, 1], resize: 'fill' });
      expect(p.mean).toEqual([103.939, 116.779, 123.68]);
      expect(byId(id).outputIsProbabilities).toBe(true);
    }
  });

  it('maps the MXNet/PyTorch family to RGB ImageNet mean/std with shorter-side 256 then crop', () => {
    for (const id of ['vgg16-12', 'squeezenet1.1-7', 'mobilenetv2-12']) {
      const p = byId(id).preprocessing;
      expect(p).toMatchObject({ channelOrder: 'RGB', resize: 'shorter-then-crop', resizeTo: 256 });
      expect(p.scale).toBeCloseTo(1 / 255, 10);
      expect(p.mean).toEqual([0.485, 0.456, 0.406]);
      expect(byId(id).outputIsProbabilities).toBe(false);
    }
    // ResNet keeps the 0..255 form of the same recipe.
    expect(byId('resnet50-v1-7').preprocessing).toMatchObject({ scale: 1, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
  });

  it('gives DenseNet its 256x256 fill then 224 crop recipe and a caveat', () => {
    const d = byId('densenet-12');
    expect(d.preprocessing).toMatchObject({ resize: 'fill-then-crop', resizeTo: 256, channelOrder: 'RGB' });
    // The caveat in a user's words: what is unsure and what to use instead, no tensor shapes (#13).
    expect(d.notes).toMatch(/not documented/);
    expect(d.notes).toMatch(/prefer ResNet-50/);
    expect(d.notes).not.toMatch(/\[1,1000,1,1\]|squeeze/);
  });

  it('marks EfficientNet-Lite4 as NHWC with probabilities out', () => {
    const e = byId('efficientnet-lite4-11');
    expect(e.preprocessing).toMatchObject({ layout: 'NHWC', mean: [127, 127, 127], std: [128, 128, 128], resizeTo: 256 });
    expect(e.outputIsProbabilities).toBe(true);
  });
});
