// Receptive fields, strides and effective padding on a project-built MobileNetV1 (TF-slim topology, TF "SAME"
// padding as auto_pad SAME_UPPER, so the pads depend on the input size) against google-research/receptive_field's
// published table at 224 and 321 pixels; its parameter and MAC totals against TF-slim's published figures.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../main/onnx/builder.js';
import { describeModel } from '../../../main/onnx/arch/describe.js';
import { aInt, aInts, aString, DT, type Model } from '../../../main/onnx/ir.js';
import { testModel, value } from './graphs.js';

/** MobileNetV1 1.0 as in TF-slim mobilenet_v1.py: BatchNorm folded to a bias (slim's BN has no scale there). */
function mobilenetV1(): { model: Model; endPoints: Map<string, string> } {
  const m = testModel({ nodes: [], inputs: [value('input', ['N', 3, 'H', 'W'])], outputs: [] });
  const b = new GraphBuilder(m.graph, DT.FLOAT, new Map(), 'mbv1');
  const endPoints = new Map<string, string>();
  const zeros = (dims: number[]) => b.constArray(new Float32Array(dims.reduce((a, c) => a * c, 1)), dims);
  const relu6 = (x: string) => b.op('Clip', [x, b.constF([0]), b.constF([6])]);
  const conv = (x: string, cin: number, cout: number, k: number, s: number, group = 1) =>
    b.op('Conv', [x, zeros([cout, cin / group, k, k]), zeros([cout])], {
      kernel_shape: aInts([k, k]),
      strides: aInts([s, s]),
      group: aInt(group),
      auto_pad: aString('SAME_UPPER'),
    });
  let x = conv('input', 3, 32, 3, 2);
  endPoints.set('Conv2d_0', x);
  x = relu6(x);
  let c = 32;
  const blocks: [number, number][] = [
    [1, 64],
    [2, 128],
    [1, 128],
    [2, 256],
    [1, 256],
    [2, 512],
    [1, 512],
    [1, 512],
    [1, 512],
    [1, 512],
    [1, 512],
    [2, 1024],
    [1, 1024],
  ];
  blocks.forEach(([s, out], i) => {
    x = relu6(conv(x, c, c, 3, s, c));
    x = conv(x, c, out, 1, 1);
    endPoints.set(`Conv2d_${i + 1}_pointwise`, x);
    x = relu6(x);
    c = out;
  });
  x = b.op('GlobalAveragePool', [x]);
  x = conv(x, 1024, 1001, 1, 1);
  x = b.op('Flatten', [x], { axis: aInt(1) });
  m.graph.outputs.push(value(x));
  return { model: m, endPoints };
}

// receptive_field README, mobilenet_v1: end-point → [RF, effective stride, effective padding at 224, at 321].
const TABLE: [string, number, number, number, number][] = [
  ['Conv2d_0', 3, 2, 0, 1],
  ['Conv2d_1_pointwise', 7, 2, 2, 3],
  ['Conv2d_2_pointwise', 11, 4, 2, 5],
  ['Conv2d_3_pointwise', 19, 4, 6, 9],
  ['Conv2d_4_pointwise', 27, 8, 6, 13],
  ['Conv2d_5_pointwise', 43, 8, 14, 21],
  ['Conv2d_6_pointwise', 59, 16, 14, 29],
  ['Conv2d_7_pointwise', 91, 16, 30, 45],
  ['Conv2d_8_pointwise', 123, 16, 46, 61],
  ['Conv2d_9_pointwise', 155, 16, 62, 77],
  ['Conv2d_10_pointwise', 187, 16, 78, 93],
  ['Conv2d_11_pointwise', 219, 16, 94, 109],
  ['Conv2d_12_pointwise', 251, 32, 94, 125],
  ['Conv2d_13_pointwise', 315, 32, 126, 157],
];

describe('MobileNetV1 receptive fields', () => {
  const { model, endPoints } = mobilenetV1();

  it.each([224, 321])('equal google-research/receptive_field’s table at %i px (SAME pads resolved per size)', (size) => {
    const d = describeModel(model, { name: 'mobilenet_v1', size: [size, size] });
    const byTensor = new Map(d.nodes.map((n) => [n.outputs[0], n]));
    for (const [name, rf, stride, p224, p321] of TABLE) {
      const got = byTensor.get(endPoints.get(name)!)!.rf;
      expect([name, got]).toEqual([name, { rf, stride, padding: size === 224 ? p224 : p321 }]);
    }
  });

  it('has the published size: 569 M MACs; 4,231,976 parameters once BatchNorm and the head are counted alike', () => {
    const d = describeModel(model, { name: 'mobilenet_v1', size: [224, 224] });
    // Weights + one bias per BatchNorm channel (the folded beta; slim's BN has no scale) and a 1001-class head;
    // the Clip bounds are not parameters. Keras' MobileNet reports 4,231,976 trainable parameters: BatchNorm
    // gamma and beta on each of its 10,944 channels, and a 1000-class head (1,025 fewer than 1001 classes).
    expect(d.params).toBe(4_222_057);
    expect(d.params + 10_944 - 1_025).toBe(4_231_976);
    expect(d.macs).toBe(568_741_376); // 1024 of them for the 1001st class
    expect(Math.round(d.macs / 1e6)).toBe(569);
    const dw = d.nodes.find((n) => n.op === 'Conv' && n.conv!.groups === 32)!;
    // Depthwise 3×3 over 32 channels at 112²: 112·112·32·(32/32)·9 MACs, 32·9 + 32 parameters.
    expect(dw.macs).toBe(112 * 112 * 32 * 9);
    expect(dw.params).toBe(32 * 9 + 32);
    expect(dw.conv).toMatchObject({ kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], inSize: [112, 112], outSize: [112, 112] });
  });
});
