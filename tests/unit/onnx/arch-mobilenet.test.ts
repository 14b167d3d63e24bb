// The real MobileNetV2 1.0 in ../shared/models against its published size (TF-slim / Keras tables: 300 M MACs,
// 3.47 M parameters) and against PyTorch's count of torchvision's mobilenet_v2 (tests/fixtures/graph/).
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe.js';
import { loadModel } from '../../../main/onnx/proto.js';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../../helpers/shared-models.js';
import { loadTorchFixture } from './arch-fixtures.js';

describe.skipIf(!sharedModelsDir)(`MobileNetV2 1.0 224${sharedModelsDir ? '' : ` (${sharedSkipReason})`}`, () => {
  it('counts 3,489,097 parameters and 300,775,552 MACs; the differences from the published figures are the 1001-class head and folded BatchNorm', () => {
    const model = loadModel(sharedPath('mobilenet_v2_1.0_224.onnx'));
    const d = describeModel(model, { name: 'mobilenet_v2_1.0_224', size: [224, 224] });
    // Published: 300 M MACs and 3.47 M parameters (TF-slim's table; Keras and torchvision count 3,504,872).
    // This file is the TF-slim model converted from TFLite: BatchNorm is folded into the convs (each BN
    // channel keeps one bias instead of a scale and a bias: 17,056 channels fewer), the head has 1001 classes
    // (index 0 = background: 1,280 weights + 1 bias more), and the two Clip bounds are not parameters.
    expect(d.params).toBe(3_489_097);
    expect(d.macs).toBe(300_775_552);
    expect(d.unknownShapes).toBe(0);
    const torch = loadTorchFixture('mobilenet_v2').fixture.torch;
    expect(torch.params).toBe(3_504_872);
    expect(d.params).toBe(torch.params - torch.batchNormChannels + 1_281);
    // MACs: the same convolutions; the 1001st class adds 1280 to the head's 1280 × 1000.
    expect(d.macs).toBe(torch.macs + 1_280);
    expect(Math.round(d.macs / 1e6)).toBe(301);
  });

  it('shapes follow the input size; the last conv sees 491 px with stride 32', () => {
    const model = loadModel(sharedPath('mobilenet_v2_1.0_224.onnx'));
    const small = describeModel(model, { name: 'm', size: [160, 160] });
    const big = describeModel(model, { name: 'm', size: [224, 224] });
    expect(small.input).toEqual([1, 3, 160, 160]);
    expect(small.nodes[0].shape).toEqual([1, 32, 80, 80]);
    expect(big.nodes[0].shape).toEqual([1, 32, 112, 112]);
    expect(small.params).toBe(big.params);
    // Conv MACs scale with the output area; the head's do not.
    const head = 1280 * 1001;
    expect((small.macs - head) / (big.macs - head)).toBeCloseTo((80 * 80) / (112 * 112), 2);
    const outRelu = big.nodes.find((n) => n.outputs[0] === 'out_relu')!;
    expect(outRelu.rf).toMatchObject({ rf: 491, stride: 32 });
    // Depthwise convs: groups = channels, one 3×3 filter per channel.
    const dw = big.nodes.find((n) => n.op === 'Conv' && (n.conv?.groups ?? 1) > 1)!;
    expect(dw.weights[0].shape[1]).toBe(1);
    expect(dw.macs).toBe((dw.shape as number[]).reduce((a, b) => a * b, 1) * 9);
  });
});
