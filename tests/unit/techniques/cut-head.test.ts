// Head analysis and the cut at a layer on hand-built graphs: a residual skip around the target becomes
// an extra input fed from the forward pass, and d(score)/dA through GAP + Gemm is W[c,k]/(h·w) exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aInt, floatTensor, type Model, type Node } from '../../../main/onnx/ir';
import { encodeModel } from '../../../main/onnx/proto';
import { analyseHead } from '../../../main/techniques/cam/layers';
import { camGraphs, releaseCamSessions } from '../../../main/techniques/cam/sessions';
import { GraphIndex } from '../../../main/techniques/shared/graph-index';
import { withExtraOutputs } from '../../../main/techniques/shared/onnx-outputs';
import * as ort from 'onnxruntime-node';

const C = 4;
const K = 3;
const node = (name: string, opType: string, inputs: string[], attrs: Node['attrs'] = {}): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs: [name],
  attrs,
});
const conv = (name: string, x: string, cin: number, cout: number, k: number) =>
  node(name, 'Conv', [x, `${name}.w`], {
    kernel_shape: { type: 'ints', value: [k, k] },
    pads: { type: 'ints', value: [k >> 1, k >> 1, k >> 1, k >> 1] },
  });
const weights = (name: string, dims: number[], seed: number) =>
  floatTensor(
    name,
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 1.7 + seed) * 0.5),
  );

/** x → conv1 → relu1 (B) → conv2 → relu2 (A) → Add(A, B) → GAP → Flatten → Gemm(transB). */
function residualNet(): Model {
  const init = [
    weights('conv1.w', [C, 3, 3, 3], 1),
    weights('conv2.w', [C, C, 3, 3], 2),
    weights('fc.w', [K, C], 3),
    weights('fc.b', [K], 4),
  ];
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'test',
    baseDir: null,
    graph: {
      name: 'residual',
      nodes: [
        conv('conv1', 'x', 3, C, 3),
        node('relu1', 'Relu', ['conv1']),
        conv('conv2', 'relu1', C, C, 3),
        node('relu2', 'Relu', ['conv2']),
        node('sum', 'Add', ['relu2', 'relu1']),
        node('relu3', 'Relu', ['sum']),
        node('gap', 'GlobalAveragePool', ['relu3']),
        node('flat', 'Flatten', ['gap'], { axis: aInt(1) }),
        node('fc', 'Gemm', ['flat', 'fc.w', 'fc.b'], { transB: aInt(1) }),
      ],
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 3, 'H', 'W'] }],
      outputs: [{ name: 'fc', elemType: 1, shape: ['N', K] }],
      initializers: new Map(init.map((t) => [t.name, t])),
      valueInfo: new Map(),
    },
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-cut-'));
afterAll(async () => {
  await releaseCamSessions();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('head analysis', () => {
  it('suggests the map before the pool and reads the Gemm classifier as [classes × channels]', () => {
    const m = residualNet();
    const head = analyseHead(m, new GraphIndex(m.graph));
    expect(head).toMatchObject({ logits: 'fc', pooled: 'relu3', target: 'relu3' });
    expect(head.reason).toMatch(/before GlobalAveragePool "gap"/);
    expect(head.classifier).toMatchObject({ classes: K, channels: C, node: 'fc' });
    expect(head.classifier!.weight[1 * C + 2]).toBeCloseTo(Math.sin(6 * 1.7 + 3) * 0.5, 6);
  });
});

describe('head analysis on other head shapes', () => {
  it('ranks the logits before a final Softmax and accepts ReduceMean over H, W as the global pool', () => {
    const m = residualNet();
    const g = m.graph;
    const gap = g.nodes.find((n) => n.name === 'gap')!;
    Object.assign(gap, { opType: 'ReduceMean', attrs: { axes: { type: 'ints', value: [2, 3] }, keepdims: aInt(1) } });
    g.nodes.push(node('prob', 'Softmax', ['fc'], { axis: aInt(1) }));
    g.outputs = [{ name: 'prob', elemType: 1, shape: ['N', K] }];
    const head = analyseHead(m, new GraphIndex(g));
    expect(head).toMatchObject({ logits: 'fc', target: 'relu3' });
    expect(head.reason).toMatch(/ReduceMean "gap"/);
    expect(head.classifier?.classes).toBe(K);
  });

  it('falls back to the map under Flatten (and under a max-pool) for VGG-style heads, and Grad-CAM runs through the FC head', async () => {
    const m = residualNet();
    const g = m.graph;
    g.nodes = g.nodes.filter((n) => n.name !== 'gap' && n.name !== 'fc');
    g.nodes.push(
      node('pool', 'MaxPool', ['relu3'], { kernel_shape: { type: 'ints', value: [2, 2] }, strides: { type: 'ints', value: [2, 2] } }),
    );
    g.nodes.find((n) => n.name === 'flat')!.inputs = ['pool'];
    const fc1 = weights('fc1.w', [K, C * 16], 5);
    g.initializers.set('fc1.w', fc1);
    g.nodes.push(node('fc', 'Gemm', ['flat', 'fc1.w', 'fc.b'], { transB: aInt(1) }));
    const head = analyseHead(m, new GraphIndex(g));
    expect(head).toMatchObject({ target: 'relu3', pool: null, classifier: null });
    expect(head.reason).toMatch(/no global pooling: last feature map before Flatten "flat".*under MaxPool "pool"/);
    const file = path.join(dir, 'vgg-like.onnx');
    g.inputs[0].shape = [1, 3, 8, 8];
    fs.writeFileSync(file, encodeModel(m));
    const cg = await camGraphs(file, [8, 8]);
    const f = await cg.forward(
      Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i)),
      [1, 3, 8, 8],
    );
    const w = new Float32Array(K);
    w[0] = 1;
    const grad = await cg.gradient(f.activation, f.extras, w);
    expect(grad.dims).toEqual([1, C, 8, 8]);
    expect(grad.data.every(Number.isFinite)).toBe(true);
    expect(grad.data.some((v) => v !== 0)).toBe(true);
  });
});

describe('cut at a layer with a skip connection around it', () => {
  it('feeds the skipped tensor from the forward pass and differentiates only the head', async () => {
    const file = path.join(dir, 'residual.onnx');
    fs.writeFileSync(file, encodeModel(residualNet()));
    const g = await camGraphs(file, [8, 8], undefined, 'relu2');
    const x = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.cos(i));
    const f = await g.forward(x, [1, 3, 8, 8]);
    expect(Object.keys(f.extras)).toEqual(['relu1']);
    expect(f.activation.dims).toEqual([1, C, 8, 8]);
    const w = new Float32Array(K);
    w[1] = 1;
    const grad = await g.gradient(f.activation, f.extras, w);
    // d fc[1] / d relu2[k,i] = W[1,k] / 64 where relu3 > 0, else 0.
    const fcw = residualNet().graph.initializers.get('fc.w')!.data as Float32Array;
    const sum = f.activation.data.map((a, i) => a + f.extras.relu1.data[i]);
    for (let k = 0; k < C; k++)
      for (let i = 0; i < 64; i++) {
        const expected = sum[k * 64 + i] > 0 ? fcw[C + k] / 64 : 0;
        expect(grad.data[k * 64 + i]).toBeCloseTo(expected, 6);
      }
  });
});

describe('eigen projection', () => {
  it('recovers a rank-one map and orients it like the channel sum', async () => {
    const { eigenProjection } = await import('../../../main/techniques/cam/map');
    const pattern = [0, 1, 4, 9, 4, 1];
    const scales = [2, 0.5, 3];
    const x = (k: number, i: number) => scales[k] * pattern[i];
    const p = eigenProjection(x, 3, 6);
    const mean = pattern.reduce((a, b) => a + b) / 6;
    const ratio = p[3] / (pattern[3] - mean);
    expect(ratio).toBeGreaterThan(0);
    pattern.forEach((v, i) => expect(p[i]).toBeCloseTo((v - mean) * ratio, 5));
  });
});

describe('extra outputs spliced into the model bytes', () => {
  it('gives the same activations as the model re-encoded through the IR', async () => {
    const bytes = encodeModel(residualNet());
    const spliced = await ort.InferenceSession.create(withExtraOutputs(bytes, ['relu1', 'relu2']));
    expect(spliced.outputNames).toEqual(['fc', 'relu1', 'relu2']);
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 3 * 36 }, (_, i) => Math.cos(i * 0.3)),
      [1, 3, 6, 6],
    );
    const a = await spliced.run({ x });
    const m = residualNet();
    m.graph.outputs.push({ name: 'relu1', elemType: 1 }, { name: 'relu2', elemType: 1 });
    const b = await (await ort.InferenceSession.create(encodeModel(m))).run({ x });
    for (const k of ['fc', 'relu1', 'relu2']) expect([...(a[k].data as Float32Array)]).toEqual([...(b[k].data as Float32Array)]);
    expect(() => withExtraOutputs(new Uint8Array([0x0f]), ['a'])).toThrow();
  });
});
