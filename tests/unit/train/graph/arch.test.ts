// Architectures and heads: documented output shapes at 28 and 32 px, grey and colour, in ORT; parameter
// counts (ResNet-20's 0.27 M with option-A shortcuts); seeded, scheme-dependent weights.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../../main/onnx/proto.js';
import { inferShapes } from '../../../../main/onnx/shapes.js';
import { parameterNames } from '../../../../main/train/graph/prepare.js';
import { ARCHITECTURES, type ArchName } from '../../../../main/train/models/arch.js';
import { buildHead } from '../../../../main/train/models/head.js';
import type { Model } from '../../../../main/onnx/ir.js';

const paramCount = (m: Model) => parameterNames(m).reduce((s, w) => s + m.graph.initializers.get(w)!.data.length, 0);

async function logitsDims(m: Model, perSample: number[], n = 2): Promise<readonly number[]> {
  const s = await ort.InferenceSession.create(encodeModel(m));
  const size = n * perSample.reduce((a, b) => a * b, 1);
  const out = await s.run({ [m.graph.inputs[0].name]: new ort.Tensor('float32', new Float32Array(size).fill(0.5), [n, ...perSample]) });
  await s.release();
  return out.logits.dims;
}

describe('architectures', () => {
  for (const name of Object.keys(ARCHITECTURES) as ArchName[])
    for (const size of [28, 32])
      for (const channels of [1, 3] as const)
        it(`${name} at ${channels}×${size}×${size} → logits [N, 10]`, async () => {
          const m = ARCHITECTURES[name].build({ channels, size, classes: 10, seed: 1 });
          expect(m.graph.inputs[0].shape).toEqual(['N', channels, size, size]);
          expect(m.graph.outputs.map((o) => [o.name, o.shape])).toEqual([['logits', ['N', 10]]]);
          expect(inferShapes(m).get('logits')!.shape).toEqual(['N', 10]);
          expect(await logitsDims(m, [channels, size, size], 3)).toEqual([3, 10]);
        });

  it('parameter counts: LeNet-5 61 706 (grey, 10 classes), ResNet-20 269 722 (the paper’s 0.27 M), small VGG', () => {
    expect(paramCount(ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10 }))).toBe(61_706);
    expect(paramCount(ARCHITECTURES.lenet5.build({ channels: 1, size: 32, classes: 10 }))).toBe(61_706);
    expect(paramCount(ARCHITECTURES.resnet20.build({ channels: 3, size: 32, classes: 10 }))).toBe(269_722);
    // 6 convs (no bias) + 6 BN (γ, β) + fc on 128·4·4.
    const convs = 3 * 32 * 9 + 32 * 32 * 9 + 32 * 64 * 9 + 64 * 64 * 9 + 64 * 128 * 9 + 128 * 128 * 9;
    const bn = 2 * (32 + 32 + 64 + 64 + 128 + 128);
    expect(paramCount(ARCHITECTURES['vgg-small'].build({ channels: 3, size: 32, classes: 10 }))).toBe(convs + bn + 2048 * 10 + 10);
  });

  it('dropout before the classifier: vgg-small by default, the others when asked', () => {
    const drops = (m: Model) => m.graph.nodes.filter((n) => n.opType === 'Dropout').length;
    expect(drops(ARCHITECTURES['vgg-small'].build({ channels: 3, size: 32, classes: 10 }))).toBe(1);
    expect(drops(ARCHITECTURES.resnet20.build({ channels: 3, size: 32, classes: 10 }))).toBe(0);
    expect(drops(ARCHITECTURES.resnet20.build({ channels: 3, size: 32, classes: 10, dropout: 0.2 }))).toBe(1);
  });

  it('weights come from the seed and the scheme', () => {
    const w = (o: Partial<Parameters<typeof ARCHITECTURES.lenet5.build>[0]>) =>
      ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, ...o }).graph.initializers.get('conv2.weight')!.data;
    expect(w({ seed: 4 })).toEqual(w({ seed: 4 }));
    expect(w({ seed: 4 })).not.toEqual(w({ seed: 5 }));
    expect(w({ seed: 4, init: 'xavier' })).not.toEqual(w({ seed: 4, init: 'he' }));
  });

  it('too small an input is refused with a message', () => {
    expect(() => ARCHITECTURES.lenet5.build({ channels: 1, size: 12, classes: 10 })).toThrow(/too small/);
  });
});

describe('transfer heads', () => {
  it('linear: [N, D] → [N, K]', async () => {
    const m = buildHead({ dim: 512, classes: 7, kind: 'linear', seed: 1 });
    expect(parameterNames(m)).toEqual(['fc.weight', 'fc.bias']);
    expect(await logitsDims(m, [512])).toEqual([2, 7]);
  });

  it('MLP: D → hidden → ReLU → Dropout → K', async () => {
    const m = buildHead({ dim: 512, classes: 7, kind: 'mlp', hidden: 64, dropout: 0.3, seed: 1 });
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Constant', 'Dropout', 'Gemm']);
    expect(parameterNames(m)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(await logitsDims(m, [512])).toEqual([2, 7]);
  });
});
