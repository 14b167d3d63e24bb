// Sidecar JSON (format of ../shared/models/*.json) -> run-time metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSidecar, sidecarPathFor } from '../../../main/models/sidecar';
import { slugify } from '../../../main/models/store';

// A miniature of the shared layout: <root>/models/x.json naming "labels/x.txt" relative to the models folder.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-sidecar-'));
fs.mkdirSync(path.join(root, 'models', 'labels'), { recursive: true });
fs.writeFileSync(path.join(root, 'models', 'labels', 'mine.txt'), 'a\nb\n');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const mobilenetLike = {
  name: 'mobilenet_v2_1.0_224',
  file: 'models/mobilenet_v2_1.0_224.onnx',
  sha256: '84C994E54B44AD11E73199FF9659962A49DBBF7439A9E65ED55FE6A9B1681949',
  license: { id: 'Apache-2.0' },
  input: { name: 'input', shape: ['N', 3, 'H', 'W'] },
  input_size: [224, 224],
  preprocessing: {
    channel_order: 'RGB',
    layout: 'NCHW',
    scale: 1.0,
    mean: [128, 128, 128],
    std: [128, 128, 128],
    resize: 'verified with sharp resize(fit "fill", kernel "linear") of the whole photo to the input size, no crop',
  },
  output: { name: 'logits', shape: ['N', 1001], softmax_in_graph: false },
  labels: { file: 'labels/mine.txt', num_classes: 1001, background_index: 0, label_offset: 0 },
};

describe('parseSidecar', () => {
  it('maps the shared format: preprocessing, sizes, output, sha256, license', () => {
    const s = parseSidecar(JSON.stringify(mobilenetLike), 'x.json', [path.join(root, 'models')]);
    expect(s.preprocessing).toEqual({
      channelOrder: 'RGB',
      layout: 'NCHW',
      scale: 1,
      mean: [128, 128, 128],
      std: [128, 128, 128],
      resize: 'fill',
    });
    expect(s).toMatchObject({
      name: 'mobilenet_v2_1.0_224',
      inputName: 'input',
      outputName: 'logits',
      inputSize: [224, 224],
      numClasses: 1001,
      outputIsProbabilities: false,
      labelOffset: 0,
      backgroundIndex: 0,
      license: 'Apache-2.0',
    });
    expect(s.sha256).toBe(mobilenetLike.sha256.toLowerCase());
  });

  it('resolves the labels file relative to the sidecar folder or its parent', () => {
    const here = parseSidecar(JSON.stringify(mobilenetLike), 'x.json', [path.join(root, 'models')]);
    expect(here.labels).toBe(path.join(root, 'models', 'labels', 'mine.txt'));
    const fromParent = { ...mobilenetLike, labels: { ...mobilenetLike.labels, file: 'models/labels/mine.txt' } };
    expect(parseSidecar(JSON.stringify(fromParent), 'x.json', [path.join(root, 'models')]).labels).toBe(
      path.join(root, 'models', 'labels', 'mine.txt'),
    );
  });

  it('falls back to a label set id when the labels file is missing', () => {
    const missing = { ...mobilenetLike, labels: { ...mobilenetLike.labels, file: 'labels/imagenet_labels_1001.txt' } };
    expect(parseSidecar(JSON.stringify(missing), 'x.json', ['/nowhere']).labels).toBe('imagenet1001');
    const darknet = { ...mobilenetLike, labels: { file: 'labels/darknet.txt', num_classes: 1000, background_index: null } };
    expect(parseSidecar(JSON.stringify(darknet), 'x.json', ['/nowhere']).labels).toBe('none');
  });

  it('maps scale, BGR and crop recipes', () => {
    const s = parseSidecar(
      JSON.stringify({
        preprocessing: {
          channel_order: 'BGR',
          scale: 0.00392156862745098,
          mean: [0, 0, 0],
          std: [1, 1, 1],
          resize: 'shorter side to 256 then center crop',
        },
      }),
      'y.json',
      [],
    );
    expect(s.preprocessing).toMatchObject({ channelOrder: 'BGR', scale: 0.00392156862745098, resize: 'shorter-then-crop', resizeTo: 256 });
  });

  it('rejects malformed JSON naming the sidecar', () => {
    expect(() => parseSidecar('{ nope', '/m/x.json', [])).toThrow(/\/m\/x\.json: sidecar is not valid JSON/);
    expect(() => parseSidecar('[1]', 'x.json', [])).toThrow(/must be a JSON object/);
  });

  it('finds X.json beside X.onnx', () => {
    expect(sidecarPathFor('/a/b/m.onnx')).toBe('/a/b/m.json');
  });
});

describe('slugify', () => {
  it('makes stable ids', () => {
    expect(slugify('My ResNet-50 (v2).onnx')).toBe('my-resnet-50-v2');
    expect(slugify('mobilenet_v2_1.0_224.onnx')).toBe('mobilenet_v2_1.0_224');
    expect(slugify('...onnx')).toBe('model');
    expect(slugify('Ünïcode.onnx')).toBe('unicode');
  });
});
