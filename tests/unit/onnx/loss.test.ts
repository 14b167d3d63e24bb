// Loss builder: each objective's value against a direct JS computation, and its gradient against
// central differences in float64 (objectives applied to the input through an Identity "network").
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { DT, type Model } from '../../../main/onnx/ir.js';
import type { Objective, WeightedObjective } from '../../../main/onnx/loss.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { rng } from './gradcheck.js';

const [N, C, H, W] = [2, 3, 4, 5];
const size = N * C * H * W;

function identityModel(): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 't',
    baseDir: null,
    graph: {
      name: 'id',
      nodes: [{ name: 'id', opType: 'Identity', domain: '', inputs: ['x'], outputs: ['y'], attrs: {} }],
      inputs: [{ name: 'x', elemType: DT.DOUBLE, shape: ['N', C, 'H', 'W'] }],
      outputs: [{ name: 'y', elemType: DT.DOUBLE, shape: ['N', C, 'H', 'W'] }],
      initializers: new Map(),
      valueInfo: new Map(),
    },
  };
}

const at = (x: ArrayLike<number>, n: number, c: number, h: number, w: number) => x[((n * C + c) * H + h) * W + w];
function gram(x: ArrayLike<number>): number[][][] {
  return Array.from({ length: N }, (_, n) =>
    Array.from({ length: C }, (_, a) =>
      Array.from({ length: C }, (_, b) => {
        let s = 0;
        for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) s += at(x, n, a, h, w) * at(x, n, b, h, w);
        return s / (C * H * W);
      }),
    ),
  );
}

const r = rng(5);
const x0 = Float64Array.from({ length: size }, () => 2 * r() - 1);
const target = Float64Array.from({ length: size }, () => 2 * r() - 1);
const gramTarget = Float64Array.from({ length: N * C * C }, () => r() * 0.3);

const expected: Record<string, (x: ArrayLike<number>) => number> = {
  sumsq: (x) => Array.from(x).reduce((s, v) => s + v * v, 0),
  meansq: (x) => Array.from(x).reduce((s, v) => s + v * v, 0) / size,
  channel: (x) => {
    let s = 0;
    for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) s += at(x, n, 1, h, w) ** 2;
    return s;
  },
  content: (x) => Array.from(x).reduce((s, v, i) => s + (v - target[i]) ** 2, 0) / size,
  gram: (x) =>
    gram(x)
      .flat(2)
      .reduce((s, v) => s + v * v, 0),
  style: (x) =>
    gram(x)
      .flat(2)
      .reduce((s, v, i) => s + (v - gramTarget[i]) ** 2, 0) /
    (N * C * C),
  tv: (x) => {
    let s = 0;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let h = 0; h < H - 1; h++)
          for (let w = 0; w < W - 1; w++) {
            const d = (at(x, n, c, h + 1, w) - at(x, n, c, h, w)) ** 2 + (at(x, n, c, h, w + 1) - at(x, n, c, h, w)) ** 2 + 1e-8;
            s += d ** (1.25 / 2);
          }
    return s;
  },
  alphanorm: (x) => Array.from(x).reduce((s, v) => s + Math.abs(v) ** 3, 0),
  class: (x) => {
    let s = 0;
    for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) s += at(x, n, 2, h, w);
    return s - 0.1 * Array.from(x).reduce((q, v) => q + v * v, 0);
  },
};

const objectives: Record<string, Objective> = {
  sumsq: { kind: 'sumsq', tensor: 'y' },
  meansq: { kind: 'meansq', tensor: 'y' },
  channel: { kind: 'channel', tensor: 'y', channel: 1 },
  content: { kind: 'content', tensor: 'y' },
  gram: { kind: 'gram', tensor: 'y' },
  style: { kind: 'style', tensor: 'y' },
  tv: { kind: 'tv', tensor: 'x', beta: 1.25 },
  alphanorm: { kind: 'alphanorm', tensor: 'x', alpha: 3 },
  // class on a 4-D tensor = Σ over the class channel; with an L2 image penalty.
  class: { kind: 'class', tensor: 'y', index: 2, l2: 0.1 },
};

async function evaluate(terms: WeightedObjective[]) {
  const g = buildGradGraph(identityModel(), { objectives: terms });
  const s = await ort.InferenceSession.create(encodeModel(g.model));
  const feeds = (x: Float64Array) => {
    const f: Record<string, ort.Tensor> = { x: new ort.Tensor('float64', x, [N, C, H, W]) };
    if (g.targets.includes('target:y')) f['target:y'] = new ort.Tensor('float64', target, [N, C, H, W]);
    if (g.targets.includes('gram:y')) f['gram:y'] = new ort.Tensor('float64', gramTarget, [N, C, C]);
    return f;
  };
  const run = async (x: Float64Array) => {
    const o = await s.run(feeds(x));
    return { loss: Number(o.loss.data[0]), grad: o['grad:input'].data as Float64Array };
  };
  return { run, release: () => s.release() };
}

describe('loss terms', () => {
  for (const [name, objective] of Object.entries(objectives)) {
    it(`${name}: value and gradient`, async () => {
      const e = await evaluate([{ objective }]);
      const base = await e.run(x0);
      expect(base.loss).toBeCloseTo(expected[name](x0), 9);
      const h = 1e-6;
      let maxErr = 0;
      let maxRef = 1e-6;
      for (let i = 0; i < size; i += 7) {
        const xp = Float64Array.from(x0);
        const xm = Float64Array.from(x0);
        xp[i] += h;
        xm[i] -= h;
        const fd = ((await e.run(xp)).loss - (await e.run(xm)).loss) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - base.grad[i]));
        maxRef = Math.max(maxRef, Math.abs(fd));
      }
      expect(maxErr / maxRef).toBeLessThan(1e-6);
      await e.release();
    });
  }

  it('weighted sums add up', async () => {
    const e = await evaluate([
      { objective: objectives.content, weight: 2 },
      { objective: objectives.style, weight: 1e3 },
      { objective: objectives.tv, weight: 0.5 },
    ]);
    const { loss } = await e.run(x0);
    expect(loss).toBeCloseTo(2 * expected.content(x0) + 1e3 * expected.style(x0) + 0.5 * expected.tv(x0), 8);
    await e.release();
  });

  it('cross-entropy to a class is −log softmax', async () => {
    const m = identityModel();
    m.graph.inputs[0].shape = ['N', 6];
    m.graph.outputs[0].shape = ['N', 6];
    const e = buildGradGraph(m, { objectives: [{ objective: { kind: 'crossentropy', tensor: 'y', index: 4 } }] });
    const s = await ort.InferenceSession.create(encodeModel(e.model));
    const logits = Float64Array.from([0.3, -1, 2, 0.5, 1.5, -0.2]);
    const o = await s.run({ x: new ort.Tensor('float64', logits, [1, 6]) });
    const z = Array.from(logits).reduce((q, v) => q + Math.exp(v), 0);
    expect(Number(o.loss.data[0])).toBeCloseTo(-(1.5 - Math.log(z)), 10);
    const g = o['grad:input'].data as Float64Array;
    logits.forEach((v, i) => expect(g[i]).toBeCloseTo(Math.exp(v) / z - (i === 4 ? 1 : 0), 10));
    await s.release();
  });
});
