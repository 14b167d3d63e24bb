// The architecture view's facts on small hand-built graphs: an op shape inference does not know leaves later
// shapes unknown instead of failing; ConvTranspose and MatMul costs; weights shared through Identity (torch's
// deduplication); weight statistics; the input-size limit.
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract.js';
import { describeModel } from '../../../main/onnx/arch/describe.js';
import { weightStats } from '../../../main/onnx/arch/weights.js';
import { aInts, floatTensor, int64Tensor, type Tensor } from '../../../main/onnx/ir.js';
import { node, testModel, value } from './graphs.js';

const w = (name: string, dims: number[], values?: number[]): Tensor =>
  floatTensor(name, dims, values ?? new Array(dims.reduce((a, b) => a * b, 1)).fill(0.5));
const conv3 = (name: string, x: string, wt: string, y: string) =>
  node(name, 'Conv', [x, wt], [y], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) });

describe('graph description', () => {
  it('an op shape inference does not cover leaves the shapes after it unknown, with a note, and no crash', () => {
    const m = testModel({
      nodes: [
        conv3('c1', 'x', 'w1', 'a'),
        node('odd', 'MysteryOp', ['a'], ['b']),
        conv3('c2', 'b', 'w2', 'c'),
        node('r', 'Relu', ['c'], ['y']),
      ],
      inputs: [value('x', ['N', 3, 'H', 'W'])],
      outputs: [value('y')],
      initializers: [w('w1', [8, 3, 3, 3]), w('w2', [4, 8, 3, 3])],
    });
    const d = describeModel(m, { name: 't', size: [16, 16] });
    const [c1, odd, c2, r] = d.nodes;
    expect(c1).toMatchObject({ shape: [1, 8, 16, 16], macs: 16 * 16 * 8 * 27, params: 216, memoryBytes: 8 * 256 * 4 });
    expect(odd).toMatchObject({ op: 'MysteryOp', shape: null, macs: 0, memoryBytes: null });
    // Its parameters are still known (they come from the weight), its MACs are not.
    expect(c2).toMatchObject({ shape: null, macs: null, params: 4 * 8 * 9 });
    expect(r.shape).toBeNull();
    expect(d.unknownShapes).toBe(3);
    expect(d.warnings).toEqual([expect.stringMatching(/"odd" \(MysteryOp\).*unknown/)]);
    expect(d.params).toBe(216 + 288);
    expect(d.macs).toBe(c1.macs);
    expect(d.edges.find((e) => e.tensor === 'b')).toMatchObject({ from: odd.id, to: c2.id, shape: null });
    expect(d.edges.find((e) => e.tensor === 'x')).toMatchObject({ from: 'input', to: c1.id, shape: [1, 3, 16, 16] });
    expect(d.edges.find((e) => e.to === 'output')).toMatchObject({ from: r.id, tensor: 'y' });
  });

  it('counts ConvTranspose from its input, MatMul with a constant operand as parameters, two activations as none', () => {
    const m = testModel({
      nodes: [
        node('up', 'ConvTranspose', ['x', 'wt', 'bt'], ['u'], { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]) }),
        // A second input: ConvTranspose's output shape may be unknown to shape inference, its MACs are not.
        node('fc', 'MatMul', ['v', 'wm'], ['z']),
        node('outer', 'MatMul', ['z', 'zt'], ['y']),
        node('tz', 'Transpose', ['z'], ['zt']),
      ],
      inputs: [value('x', [1, 8, 4, 4]), value('v', [1, 4])],
      outputs: [value('u'), value('y')],
      initializers: [w('wt', [8, 4, 3, 3]), w('bt', [4]), w('wm', [4, 10])],
    });
    const d = describeModel(m, { name: 't' });
    const by = Object.fromEntries(d.nodes.map((n) => [n.name, n]));
    // Each of the 8·4·4 input elements meets a 3×3 window of each of the 4 output channels.
    expect(by.up).toMatchObject({ macs: 128 * 4 * 9, params: 8 * 4 * 9 + 4 });
    expect(by.up.conv).toMatchObject({ kernel: [3, 3], strides: [2, 2], groups: 1 });
    expect(by.fc).toMatchObject({ params: 40, macs: 40 });
    expect(by.outer.params).toBe(0);
    expect(d.params).toBe(8 * 4 * 9 + 4 + 40);
    expect(by.up.weights).toEqual([
      { name: 'wt', shape: [8, 4, 3, 3], learnable: true },
      { name: 'bt', shape: [4], learnable: true },
    ]);
  });

  it('follows weights routed through Identity, hides that plumbing and counts each consumer’s copy', () => {
    const m = testModel({
      nodes: [
        node('alias', 'Identity', ['w1'], ['w1b']),
        conv3('c1', 'x', 'w1', 'a'),
        conv3('c2', 'a', 'w1b', 'b'),
        node('bn', 'BatchNormalization', ['b', 's', 'bias', 'mean', 'var'], ['y']),
      ],
      inputs: [value('x', [1, 2, 8, 8])],
      outputs: [value('y')],
      initializers: [
        w(
          'w1',
          [2, 2, 3, 3],
          [-1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2, -1, 0, 1, 2],
        ),
        w('s', [2]),
        w('bias', [2]),
        w('mean', [2]),
        w('var', [2]),
      ],
    });
    const d = describeModel(m, { name: 't' });
    expect(d.nodes.map((n) => n.op)).toEqual(['Conv', 'Conv', 'BatchNormalization']);
    expect(d.nodes[1].weights).toEqual([{ name: 'w1b', shape: [2, 2, 3, 3], learnable: true }]);
    // Two convs' weights (torch deduplicated equal tensors into one) and BatchNorm's scale and bias, not its statistics.
    expect(d.params).toBe(36 + 36 + 2 + 2);
    expect(d.nodes[2].weights.filter((x) => !x.learnable).map((x) => x.name)).toEqual(['mean', 'var']);

    const s = weightStats(m, 'w1b', 4);
    expect(s).toMatchObject({ shape: [2, 2, 3, 3], count: 36, min: -1, max: 2, mean: 0.5 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.histogram).toEqual({ edges: [-1, -0.25, 0.5, 1.25, 2], counts: [9, 9, 9, 9] });
    expect(() => weightStats(m, 'a', 4)).toThrow(/"a" is not a stored weight/);
  });

  it('refuses an input side over 4096 px with a sentence naming the limit', () => {
    const m = testModel({ nodes: [node('r', 'Relu', ['x'], ['y'])], inputs: [value('x', ['N', 3, 'H', 'W'])], outputs: [value('y')] });
    let err: unknown;
    try {
      describeModel(m, { name: 't', size: [5000, 224] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StudioError);
    expect(err).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/5000×224.*1 to 4096/) });
    expect(describeModel(m, { name: 't', size: [4096, 1] }).input).toEqual([1, 3, 4096, 1]);
  });
});

describe('receptive field through Pad and Resize', () => {
  it('a Pad input (opset 11+) shifts the effective padding; an ×2 Resize halves the effective stride', () => {
    const m = testModel({
      nodes: [
        node('pad', 'Pad', ['x', 'pads'], ['p']),
        node('c', 'Conv', ['p', 'w1'], ['a'], { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]) }),
        node('up', 'Resize', ['a', '', 'scales'], ['u'], { mode: { type: 'string', value: 'nearest' } }),
        conv3('c2', 'u', 'w2', 'y'),
      ],
      inputs: [value('x', ['N', 3, 'H', 'W'])],
      outputs: [value('y')],
      initializers: [
        int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]),
        floatTensor('scales', [4], [1, 1, 2, 2]),
        w('w1', [4, 3, 3, 3]),
        w('w2', [4, 4, 3, 3]),
      ],
    });
    const d = describeModel(m, { name: 't', size: [16, 16] });
    const by = Object.fromEntries(d.nodes.map((n) => [n.name, n]));
    expect(by.pad.rf).toEqual({ rf: 1, stride: 1, padding: 1 });
    expect(by.c.rf).toEqual({ rf: 3, stride: 2, padding: 1 });
    if (by.up.shape) {
      // Only where shape inference knows Resize: the stride follows the output/input size ratio.
      expect(by.up.rf).toEqual({ rf: 3, stride: 1, padding: 1 });
      expect(by.c2.rf).toEqual({ rf: 5, stride: 1, padding: 2 });
    } else expect(d.warnings[0]).toMatch(/Resize/);
  });
});
