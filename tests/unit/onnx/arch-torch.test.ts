// Parameters and MACs counted by the engine (main/onnx/arch/) on the ONNX graphs torch exported, against the
// counts PyTorch made itself with module hooks (tests/reference/torch_arch_counts.py → tests/fixtures/graph/).
// Also the receptive fields of VGG16 against google-research/receptive_field's published table, and rules
// broken on purpose (groups ignored, running statistics counted) that must make these tests fail.
import { afterEach, describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe.js';
import { LEARNABLE_INPUTS, MAC_RULES } from '../../../main/onnx/arch/costs.js';
import { attrInt, numel } from '../../../main/onnx/ir.js';
import { loadTorchFixture } from './arch-fixtures.js';

const MODELS = ['vgg16', 'resnet18', 'resnet50', 'mobilenet_v2', 'densenet121', 'alexnet'];

describe('parameters and MACs equal PyTorch’s own counts', () => {
  it.each(MODELS)('%s: totals, and every Conv/Gemm against its nn.Conv2d/nn.Linear', (name) => {
    const { fixture, model } = loadTorchFixture(name);
    const d = describeModel(model, { name, size: [fixture.size, fixture.size] });
    expect(d.unknownShapes).toBe(0);
    expect(d.params).toBe(fixture.torch.params);
    expect(d.macs).toBe(fixture.torch.macs);
    // Per layer: the multiset of (MACs, weight+bias params) of Conv and Gemm nodes equals torch's module list.
    const key = (macs: number | null, params: number) => `${macs}/${params}`;
    const ours = d.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((n) => key(n.macs, n.params));
    const theirs = fixture.torch.layers.map((l) => key(l.macs, l.params));
    expect(ours.sort()).toEqual(theirs.sort());
    // Blocks partition the nodes: their sums are the totals.
    expect(d.layers.flatMap((l) => l.nodeIds).sort()).toEqual(d.nodes.map((n) => n.id).sort());
    expect(d.layers.reduce((a, l) => a + (l.macs ?? NaN), 0)).toBe(d.macs);
  });

  it('names the readable blocks: VGG16 conv1_1 … pool5, ResNet-50 stem and layer1 … layer4', () => {
    const vgg = describeModel(loadTorchFixture('vgg16').model, { name: 'vgg16' });
    const names = vgg.layers.map((l) => l.name);
    expect(names.slice(0, 18)).toEqual([
      ...['conv1_1', 'conv1_2', 'pool1', 'conv2_1', 'conv2_2', 'pool2'],
      ...['conv3_1', 'conv3_2', 'conv3_3', 'pool3', 'conv4_1', 'conv4_2', 'conv4_3', 'pool4'],
      ...['conv5_1', 'conv5_2', 'conv5_3', 'pool5'],
    ]);
    // conv1_1's block is its Conv and its Relu: 64·3·3·3 + 64 parameters, 224²·64·27 MACs.
    const c11 = vgg.layers[0];
    expect(c11.nodeIds).toHaveLength(2);
    expect(c11.params).toBe(64 * 27 + 64);
    expect(c11.macs).toBe(224 * 224 * 64 * 27);
    expect(c11.shape).toEqual([1, 64, 224, 224]);
    expect(c11.memoryBytes).toBe(2 * 224 * 224 * 64 * 4);

    const { fixture, model } = loadTorchFixture('resnet50');
    const r = describeModel(model, { name: 'resnet50' });
    expect(r.layers.slice(0, 5).map((l) => [l.name, l.shape])).toEqual([
      ['stem', [1, 64, 56, 56]],
      ['layer1', [1, 256, 56, 56]],
      ['layer2', [1, 512, 28, 28]],
      ['layer3', [1, 1024, 14, 14]],
      ['layer4', [1, 2048, 7, 7]],
    ]);
    // torch's conv weights of torchvision's layer3 (BatchNorm aside) equal the Conv params of our layer3 block.
    const convIds = new Set(r.nodes.filter((n) => n.op === 'Conv').map((n) => n.id));
    const layer3 = r.layers.find((l) => l.name === 'layer3')!;
    const ourConv = r.nodes.filter((n) => layer3.nodeIds.includes(n.id) && convIds.has(n.id)).reduce((a, n) => a + n.params, 0);
    const torchConv = fixture.torch.layers.filter((l) => l.module.startsWith('layer3.')).reduce((a, l) => a + l.params, 0);
    expect(ourConv).toBe(torchConv);
  });

  it('VGG16 receptive fields, strides and effective padding equal google-research/receptive_field’s table', () => {
    // receptive_field README (TF-slim vgg_16, 224 and 321 alike): end-point → RF, effective stride, effective padding.
    const table: [string, number, number, number][] = [
      ['conv1_1', 3, 1, 1],
      ['pool1', 6, 2, 2],
      ['conv2_1', 10, 2, 4],
      ['pool2', 16, 4, 6],
      ['conv3_1', 24, 4, 10],
      ['conv3_2', 32, 4, 14],
      ['pool3', 44, 8, 18],
      ['conv4_1', 60, 8, 26],
      ['conv4_2', 76, 8, 34],
      ['pool4', 100, 16, 42],
      ['conv5_1', 132, 16, 58],
      ['conv5_2', 164, 16, 74],
      ['pool5', 212, 32, 90],
    ];
    for (const size of [224, 321]) {
      const d = describeModel(loadTorchFixture('vgg16').model, { name: 'vgg16', size: [size, size] });
      const byName = new Map(d.nodes.filter((n) => n.layer).map((n) => [n.layer!, n.rf]));
      for (const [name, rf, stride, padding] of table) expect([name, byName.get(name)]).toEqual([name, { rf, stride, padding }]);
    }
  });
});

describe('a broken counting rule fails these checks', () => {
  const conv = MAC_RULES.Conv;
  const bn = LEARNABLE_INPUTS.BatchNormalization;
  afterEach(() => {
    MAC_RULES.Conv = conv;
    LEARNABLE_INPUTS.BatchNormalization = bn;
  });

  it('ignoring groups inflates MobileNetV2’s depthwise convs (torch: 300,774,272 MACs)', () => {
    const { fixture, model } = loadTorchFixture('mobilenet_v2');
    MAC_RULES.Conv = ({ inShape, outShape }) => {
      const x = inShape(0) as number[];
      const w = inShape(1) as number[];
      return numel(outShape(0) as number[]) * x[1] * numel(w.slice(2)); // groups forgotten
    };
    const broken = describeModel(model, { name: 'mobilenet_v2' }).macs;
    expect(broken).not.toBe(fixture.torch.macs);
    expect(broken / fixture.torch.macs).toBeGreaterThan(2);
    MAC_RULES.Conv = conv;
    expect(describeModel(model, { name: 'mobilenet_v2' }).macs).toBe(fixture.torch.macs);
    // The depthwise convs are where groups matter: there group = C_in.
    const dw = model.graph.nodes.filter((n) => n.opType === 'Conv' && attrInt(n, 'group', 1) > 1);
    expect(dw.length).toBe(17);
  });

  it('counting BatchNormalization’s running mean and variance breaks ResNet-18’s parameter count', () => {
    const { fixture, model } = loadTorchFixture('resnet18');
    LEARNABLE_INPUTS.BatchNormalization = [1, 2, 3, 4];
    const broken = describeModel(model, { name: 'resnet18' }).params;
    expect(broken - fixture.torch.params).toBe(2 * fixture.torch.batchNormChannels);
  });
});
