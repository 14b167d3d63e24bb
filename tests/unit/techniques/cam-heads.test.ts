// CAM's default layer on the heads torchvision exports: a zero bias shared through Identity (VGG-BN), maps
// coarser than 7×7 (AlexNet's pool5), transformer heads (class token or mean of tokens) whose token
// sequence is seen on the patch grid found in the graph, and readable layer names for --layer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aInt, aInts, floatTensor, int64Tensor, type Model, type Node, type Tensor } from '../../../main/onnx/ir';
import { encodeModel } from '../../../main/onnx/proto';
import { analyseHead } from '../../../main/techniques/cam/layers';
import { camMap } from '../../../main/techniques/cam/map';
import { camGraphs, releaseCamSessions } from '../../../main/techniques/cam/sessions';
import { GraphIndex } from '../../../main/techniques/shared/graph-index';

const node = (name: string, opType: string, inputs: string[], attrs: Node['attrs'] = {}, outputs = [name]): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attrs,
});
const rand = (name: string, dims: number[], seed: number) =>
  floatTensor(
    name,
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.3 + seed) * 0.4),
  );
const conv = (name: string, x: string, k: number, stride = 1, bias?: string) =>
  node(name, 'Conv', bias ? [x, `${name}.w`, bias] : [x, `${name}.w`], {
    kernel_shape: aInts([k, k]),
    strides: aInts([stride, stride]),
    pads: aInts(stride === k ? [0, 0, 0, 0] : [k >> 1, k >> 1, k >> 1, k >> 1]),
  });
const model = (nodes: Node[], inits: Tensor[], input: (string | number)[], output: string): Model => ({
  irVersion: 8,
  opsetImports: [{ domain: '', version: 17 }],
  producerName: 'test',
  baseDir: null,
  graph: {
    name: 'g',
    nodes,
    inputs: [{ name: 'x', elemType: 1, shape: input }],
    outputs: [{ name: output, elemType: 1 }],
    initializers: new Map(inits.map((t) => [t.name, t])),
    valueInfo: new Map(),
  },
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-cam-heads-'));
afterAll(async () => {
  await releaseCamSessions();
  fs.rmSync(dir, { recursive: true, force: true });
});
const save = (name: string, m: Model) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, encodeModel(m));
  return file;
};

/** VGG-BN as torch exports it: the classifier's zero bias is an Identity of one shared initializer. */
function vggBn(): Model {
  return model(
    [
      node('zero_b', 'Identity', ['shared_zero']),
      conv('conv1', 'x', 3, 1, 'zero_b'),
      node('relu1', 'Relu', ['conv1']),
      node('pool', 'MaxPool', ['relu1'], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) }),
      node('flat', 'Flatten', ['pool'], { axis: aInt(1) }),
      node('fc_b', 'Identity', ['fc_zero']),
      node('fc', 'Gemm', ['flat', 'fc.w', 'fc_b'], { transB: aInt(1) }),
    ],
    [
      rand('conv1.w', [4, 3, 3, 3], 1),
      floatTensor('shared_zero', [4], [0, 0, 0, 0]),
      rand('fc.w', [3, 4 * 16], 2),
      floatTensor('fc_zero', [3], [0, 0, 0]),
    ],
    [1, 3, 8, 8],
    'fc',
  );
}

describe('head search', () => {
  it('treats an Identity of an initializer as a constant (VGG-BN’s shared zero bias)', () => {
    const m = vggBn();
    const idx = new GraphIndex(m.graph);
    expect(idx.isConst('fc_b')).toBe(true);
    expect(idx.isConst('relu1')).toBe(false);
    const head = analyseHead(m, idx);
    expect(head.target).toBe('relu1');
    expect(head.reason).toMatch(/before Flatten "flat".*under MaxPool "pool"/);
  });

  it('goes under a map coarser than 7×7 to the last map of at least 7×7 (a 5×5 GAP map over a 10×10 one)', () => {
    const m = model(
      [
        conv('conv1', 'x', 3),
        node('relu1', 'Relu', ['conv1']),
        conv('conv2', 'relu1', 3, 2),
        node('relu2', 'Relu', ['conv2']),
        node('gap', 'GlobalAveragePool', ['relu2']),
        node('flat', 'Flatten', ['gap'], { axis: aInt(1) }),
        node('fc', 'Gemm', ['flat', 'fc.w'], { transB: aInt(1) }),
      ],
      [rand('conv1.w', [4, 3, 3, 3], 1), rand('conv2.w', [4, 4, 2, 2], 2), rand('fc.w', [3, 4], 3)],
      ['N', 3, 'H', 'W'],
      'fc',
    );
    m.graph.nodes[2].attrs = { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) };
    const head = analyseHead(m, new GraphIndex(m.graph), undefined, [10, 10]);
    expect(head.target).toBe('relu1');
    expect(head.reason).toMatch(/that map is 5×5, so the last map of at least 7×7 under it: 10×10, output of Relu "relu1"/);
    expect(head.classifier).toBeNull();
    // At 16 px the GAP map is 8×8: nothing to change.
    expect(analyseHead(m, new GraphIndex(m.graph), undefined, [16, 16]).target).toBe('relu2');
  });
});

/**
 * A ViT in miniature: 4×4 patches of a 16×16 image (a 4×4 grid), a class token, one attention block,
 * the final norm and the class token into the classifier; or the mean of the tokens (headMean).
 */
function tinyVit(headMean = false): Model {
  const D = 8;
  const T = 17;
  const nodes: Node[] = [
    conv('patch', 'x', 4, 4, 'patch.b'),
    node('seq', 'Reshape', ['patch', 'shape_ncl']),
    node('tokens0', 'Transpose', ['seq'], { perm: aInts([0, 2, 1]) }),
    node('tokens', 'Concat', ['cls', 'tokens0'], { axis: aInt(1) }),
    node('embedded', 'Add', ['tokens', 'pos']),
    node('ln1', 'LayerNormalization', ['embedded', 'ln1.g', 'ln1.b'], { axis: aInt(-1) }),
    node('q', 'MatMul', ['ln1', 'wq']),
    node('k', 'MatMul', ['ln1', 'wk']),
    node('v', 'MatMul', ['ln1', 'wv']),
    node('kt', 'Transpose', ['k'], { perm: aInts([0, 2, 1]) }),
    node('scores', 'MatMul', ['q', 'kt']),
    node('attn', 'Softmax', ['scores'], { axis: aInt(-1) }),
    node('mixed', 'MatMul', ['attn', 'v']),
    node('res', 'Add', ['embedded', 'mixed']),
    node('ln', 'LayerNormalization', ['res', 'ln.g', 'ln.b'], { axis: aInt(-1) }),
    headMean
      ? node('readout', 'ReduceMean', ['ln'], { axes: aInts([1]), keepdims: aInt(0) })
      : node('readout', 'Gather', ['ln', 'zero'], { axis: aInt(1) }),
    node('fc', 'Gemm', ['readout', 'fc.w'], { transB: aInt(1) }),
  ];
  return model(
    nodes,
    [
      rand('patch.w', [D, 3, 4, 4], 1),
      rand('patch.b', [D], 2),
      int64Tensor('shape_ncl', [3], [0, D, -1]),
      rand('cls', [1, 1, D], 3),
      rand('pos', [1, T, D], 4),
      floatTensor('ln1.g', [D], new Array(D).fill(1)),
      floatTensor('ln1.b', [D], new Array(D).fill(0)),
      rand('wq', [D, D], 5),
      rand('wk', [D, D], 6),
      rand('wv', [D, D], 7),
      floatTensor('ln.g', [D], new Array(D).fill(1)),
      floatTensor('ln.b', [D], new Array(D).fill(0)),
      int64Tensor('zero', [], [0]),
      rand('fc.w', [5, D], 8),
    ],
    [1, 3, 16, 16],
    'fc',
  );
}

describe('CAM on vision transformers', () => {
  const x = Float32Array.from({ length: 3 * 256 }, (_, i) => Math.sin(i * 0.37));

  it('finds the class-token head, the last block’s norm1 as target and the 4×4 patch grid with the class token dropped', () => {
    const m = tinyVit();
    const head = analyseHead(m, new GraphIndex(m.graph));
    expect(head.target).toBe('ln1');
    expect(head.tokens).toMatchObject({ grid: [4, 4], skip: 1 });
    expect(head.reason).toMatch(
      /class token \(Gather "readout"\).*LayerNormalization "ln1" before the last attention.*4×4 patch grid of Conv "patch"/,
    );
  });

  it('maps the tokens to [1, C, 4, 4] and the head gradient reaches every patch through the attention', async () => {
    const cg = await camGraphs(save('vit.onnx', tinyVit()), [16, 16]);
    expect(cg.layer).toBe('ln1');
    const f = await cg.forward(x, [1, 3, 16, 16]);
    expect(f.activation.dims).toEqual([1, 8, 4, 4]);
    const w = new Float32Array(5);
    w[2] = 1;
    const g = await cg.gradient(f.activation, f.extras, w);
    expect(g.dims).toEqual([1, 8, 4, 4]);
    // Every patch position gets some gradient (at the last norm only the class token would).
    for (let p = 0; p < 16; p++) expect([0, 1, 2, 3, 4, 5, 6, 7].some((c) => g.data[c * 16 + p] !== 0)).toBe(true);
    const { map } = await camMap(
      { graphs: cg, input: x, dims: [1, 3, 16, 16], activation: f.activation, extras: f.extras },
      { method: 'gradcam', index: 2 },
    );
    expect(map).toHaveLength(16);
    expect(Math.max(...map)).toBeCloseTo(1, 6);
  });

  it('reads the spatial view from the forward pass: the map is the norm1 tokens without the class token, channels first', async () => {
    const m = tinyVit();
    m.graph.outputs.push({ name: 'ln1', elemType: 1 });
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(encodeModel(m));
    const tokens = (await s.run({ x: new ort.Tensor('float32', x, [1, 3, 16, 16]) })).ln1.data as Float32Array;
    const cg = await camGraphs(save('vit2.onnx', tinyVit()), [16, 16]);
    const a = (await cg.forward(x, [1, 3, 16, 16])).activation.data;
    for (let c = 0; c < 8; c++) for (let p = 0; p < 16; p++) expect(a[c * 16 + p]).toBeCloseTo(tokens[(p + 1) * 8 + c], 6);
  });

  it('a head averaging the tokens explains the final tokens themselves (no class token to drop)', () => {
    const m = tinyVit(true);
    // Without a class token: 16 tokens.
    const g = m.graph;
    g.nodes = g.nodes.filter((n) => n.name !== 'tokens');
    g.nodes.find((n) => n.name === 'embedded')!.inputs = ['tokens0', 'pos16'];
    g.initializers.set('pos16', rand('pos16', [1, 16, 8], 9));
    const head = analyseHead(m, new GraphIndex(g));
    expect(head.target).toBe('ln');
    expect(head.tokens).toMatchObject({ grid: [4, 4], skip: 0 });
    expect(head.reason).toMatch(/mean of the tokens/);
  });
});

describe('--layer takes readable names', () => {
  it('accepts relu1_1 as `vision-studio layers` prints it, and names what is wrong with an unknown one', async () => {
    const file = save('vgg-bn.onnx', vggBn());
    const g = await camGraphs(file, [8, 8], undefined, 'relu1_1');
    expect(g.layer).toBe('relu1');
    expect(() => camGraphs(file, [8, 8], undefined, 'relu9_9')).toThrow(
      /no tensor named "relu9_9" in the model, nor a layer.*vision-studio layers/,
    );
  });
});
