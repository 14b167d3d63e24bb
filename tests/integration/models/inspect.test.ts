// inspectModel with ONNX Runtime on real files: hand-made tiny graphs, the shared pretrained models, and broken files.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModel } from '../../../main/models/inspect';
import { StudioError } from '../../../main/api/contract';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';
import { tinyFourDimOutput, tinyNchw, tinyNhwc } from './tiny-onnx';

const tmp = makeTempHome('vs-inspect-');
afterAll(() => tmp.cleanup());
const write = (name: string, bytes: Uint8Array | string) => {
  const f = path.join(tmp.dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};

async function badModel(file: string): Promise<StudioError> {
  const e = await inspectModel(file).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StudioError);
  expect((e as StudioError).code).toBe('bad_model');
  expect((e as StudioError).message).toContain(path.basename(file));
  return e as StudioError;
}

describe('inspectModel', () => {
  it('reads a dynamic NCHW graph: default 224 input, classes from the output', async () => {
    const m = await inspectModel(write('nchw.onnx', tinyNchw()));
    expect(m).toMatchObject({
      inputName: 'data',
      outputName: 'logits',
      layout: 'NCHW',
      inputSize: [224, 224],
      numClasses: 3,
      outputIsProbabilities: false,
    });
    expect(m.inputShape).toEqual(['N', 3, 'H', 'W']);
    expect(m.preprocessing).toMatchObject({ channelOrder: 'RGB', resize: 'shorter-then-crop', resizeTo: 256, mean: [0.485, 0.456, 0.406] });
  });

  it('reads a fixed NHWC graph and guesses probabilities from a softmax output name', async () => {
    const m = await inspectModel(write('nhwc.onnx', tinyNhwc()));
    expect(m).toMatchObject({ layout: 'NHWC', inputSize: [32, 48], numClasses: 3, outputIsProbabilities: true });
    expect(m.preprocessing.layout).toBe('NHWC');
  });

  it('counts classes over all non-batch dims ([1,3,1,1] -> 3)', async () => {
    expect((await inspectModel(write('four.onnx', tinyFourDimOutput()))).numClasses).toBe(3);
  });

  it('rejects garbage, zero-byte, truncated and missing files with a reason', async () => {
    expect((await badModel(write('garbage.onnx', 'this is not a model'))).message).toMatch(/not an ONNX model/);
    expect((await badModel(write('zero.onnx', ''))).message).toMatch(/zero-byte/);
    const whole = tinyNchw();
    expect((await badModel(write('trunc.onnx', whole.subarray(0, whole.length - 9)))).message).toMatch(/not an ONNX model|could not load/);
    expect((await badModel(path.join(tmp.dir, 'absent.onnx'))).message).toMatch(/not found/);
  });

  it('rejects a graph that is not an image classifier', async () => {
    const { tinyOnnx } = await import('./tiny-onnx');
    const vec = tinyOnnx({ input: ['x', ['N', 10]], output: ['y', ['N', 10]], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    expect((await badModel(write('vector.onnx', vec))).message).toMatch(/expected an image tensor/);
  });
});

describe.skipIf(!sharedModelsDir)('inspectModel on ../shared/models', () => {
  it('mobilenet_v2_1.0_224: 1001 classes, NCHW, dynamic size -> 224', async () => {
    const m = await inspectModel(sharedPath('mobilenet_v2_1.0_224.onnx'));
    expect(m).toMatchObject({
      inputName: 'input',
      outputName: 'logits',
      layout: 'NCHW',
      inputSize: [224, 224],
      numClasses: 1001,
      labels: 'imagenet1001',
      outputIsProbabilities: false,
    });
  });

  it('tiny_darknet_224: 1000 classes', async () => {
    const m = await inspectModel(sharedPath('tiny_darknet_224.onnx'));
    expect(m).toMatchObject({ inputName: 'input', outputName: 'logits', numClasses: 1000 });
  });
});
