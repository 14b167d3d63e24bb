// Dropout in training graphs: a fed 0/1 mask, y = x·mask/(1 − p). The input gradient must be
// δx = mask/(1 − p)·δy (p = 0.5: twice δy where kept), checked against the closed form and against
// central differences in float64.
import { describe, expect, it } from 'vitest';
import { aFloat, aInt, DT, floatTensor } from '../../../../main/onnx/ir.js';
import { buildTrainGraph } from '../../../../main/train/graph/train-graph.js';
import { node } from '../../onnx/graphs.js';
import { fdCheck, runFeeds, session } from './fd.js';
import { classifier, trainFeeds, uniform } from './helpers.js';

const [N, D, K] = [3, 6, 4];
const f = (name: string, dims: number[], seed: number) =>
  floatTensor(
    name,
    dims,
    uniform(
      dims.reduce((a, b) => a * b, 1),
      seed,
    ),
    DT.DOUBLE,
  );
const net = (opset17 = true) => {
  const m = classifier({
    nodes: [
      opset17 ? node('drop', 'Dropout', ['x', 'p'], ['d']) : node('drop', 'Dropout', ['x'], ['d'], { ratio: aFloat(0.5) }),
      node('fc', 'Gemm', ['d', 'W', 'b'], ['logits'], { transB: aInt(1) }),
    ],
    initializers: [f('W', [K, D], 31), f('b', [K], 32), floatTensor('p', [], [0.5], DT.DOUBLE)],
    input: { name: 'x', shape: [1, D] },
  });
  if (!opset17) m.opsetImports[0].version = 11;
  return m;
};
const x = uniform(N * D, 33, -2, 2);
const labels = [1, 0, 3];
const mask = [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1];

async function inputGrad(tamper?: (m: ReturnType<typeof net>) => void) {
  const forward = net();
  const tg = buildTrainGraph(forward, { trainable: ['W', 'b'], dropoutSeedable: true, inputGradient: true });
  tamper?.(tg.model);
  const s = await session(tg.model);
  const out = await runFeeds(s, trainFeeds(forward, tg, x, labels, { drop: mask }));
  await s.release();
  return { tg, dx: out['grad:input'].data as Float64Array, logits: out.logits.data as Float64Array };
}

/** δd = δlogits·W with δlogits = (softmax − onehot)/N, computed here. */
function gradAtDropoutOutput(logits: Float64Array): number[] {
  const W = net().graph.initializers.get('W')!.data as Float64Array;
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    const z = Array.from(logits.slice(n * K, n * K + K));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const p = e.map((v) => v / e.reduce((a, b) => a + b));
    for (let d = 0; d < D; d++) out.push(p.reduce((s, pk, k) => s + ((pk - (k === labels[n] ? 1 : 0)) / N) * W[k * D + d], 0));
  }
  return out;
}

describe('Dropout with a fed mask', () => {
  it('describes its mask input: name, ratio, shape relative to the batch', () => {
    const tg = buildTrainGraph(net(), { trainable: ['W'], dropoutSeedable: true });
    expect(tg.dropout).toEqual([{ node: 'drop', input: 'dropout_mask:drop', ratio: 0.5, shape: ['N', D], perSample: [D] }]);
    expect(tg.model.graph.inputs.map((v) => v.name)).toEqual(['x', 'dropout_mask:drop', 'W', 'labels']);
  });

  it('δx = mask/(1 − p)·δy: 2·δy where kept, 0 where dropped', async () => {
    const { dx, logits } = await inputGrad();
    const dy = gradAtDropoutOutput(logits);
    dx.forEach((g, i) => expect(g).toBeCloseTo(mask[i] * 2 * dy[i], 14));
  });

  it('a dropout without the 1/(1 − p) scaling fails that check', async () => {
    const { dx, logits } = await inputGrad((m) =>
      m.graph.initializers.set('dropout_scale:drop', floatTensor('dropout_scale:drop', [], [1], DT.DOUBLE)),
    );
    const dy = gradAtDropoutOutput(logits);
    expect(Math.max(...[...dx].map((g, i) => Math.abs(g - mask[i] * 2 * dy[i])))).toBeGreaterThan(1e-3);
  });

  it('x and W match central differences', async () => {
    const forward = net();
    const tg = buildTrainGraph(forward, { trainable: ['W', 'b'], dropoutSeedable: true, inputGradient: true });
    const res = await fdCheck(tg.model, trainFeeds(forward, tg, x, labels, { drop: mask }), { x: 'grad:input', W: 'grad:W' });
    expect(res.worst).toBeLessThan(1e-6);
  });

  it('an opset-11 Dropout (ratio attribute) is masked too, not dropped by the opset upgrade', () => {
    const tg = buildTrainGraph(net(false), { trainable: ['W'], dropoutSeedable: true });
    expect(tg.dropout.map((d) => [d.node, d.ratio])).toEqual([['drop', 0.5]]);
  });
});
