// The training objective: batch-mean cross-entropy with labels (and torch's label smoothing), L1/L2
// penalties and the correct count, by value against a direct computation and by gradient against central
// differences in float64; broken rules on its path must fail the same check.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../../main/onnx/grad/context.js';
import { buildTrainGraph, type TrainSpec } from '../../../../main/train/graph/train-graph.js';
import { fdCheck, runFeeds, session } from './fd.js';
import { gemmNet, logSoftmaxRows, trainFeeds, uniform } from './helpers.js';

const D = 4;
const K = 3;
const labels = [0, 2, 1, 1, 0];
const x = uniform(labels.length * D, 11, -2, 2);
const forward = gemmNet(D, K);
const W = Array.from(forward.graph.initializers.get('W')!.data as Float64Array);
const bias = Array.from(forward.graph.initializers.get('b')!.data as Float64Array);

/** logits computed here, for the reference values. */
const logits = labels.map((_, n) =>
  Array.from({ length: K }, (_, k) => bias[k] + W.slice(k * D, k * D + D).reduce((s, w, d) => s + w * x[n * D + d], 0)),
);

async function run(spec: Partial<TrainSpec>) {
  const tg = buildTrainGraph(forward, { trainable: ['W', 'b'], dropoutSeedable: true, ...spec });
  const feeds = trainFeeds(forward, tg, x, labels);
  const s = await session(tg.model);
  const out = await runFeeds(s, feeds);
  await s.release();
  return { tg, feeds, out, value: (name: string) => Number(out[name].data[0]) };
}

describe('cross-entropy with labels', () => {
  it('is the batch mean of −log p[label] (not the sum)', async () => {
    const { value } = await run({});
    const ls = logSoftmaxRows(logits.flat(), K);
    const ref = -labels.reduce((s, y, n) => s + ls[n][y], 0) / labels.length;
    expect(value('ce')).toBeCloseTo(ref, 12);
    expect(value('loss')).toBeCloseTo(ref, 12);
  });

  it("label smoothing ε is torch's: (1 − ε)·CE + ε·mean_k(−log p_k)", async () => {
    const eps = 0.2;
    const { value } = await run({ labelSmoothing: eps });
    const ls = logSoftmaxRows(logits.flat(), K);
    const ref = labels.reduce((s, y, n) => s + (1 - eps) * -ls[n][y] + (eps * -ls[n].reduce((a, v) => a + v, 0)) / K, 0) / labels.length;
    expect(value('ce')).toBeCloseTo(ref, 12);
  });

  it('penalties: loss = ce + λ1·Σ|W| + λ2/2·ΣW² over the weight, not the bias', async () => {
    const { value, tg } = await run({ l1: 0.03, l2: 0.05 });
    expect(tg.penalised).toEqual(['W']);
    const pen = 0.03 * W.reduce((s, w) => s + Math.abs(w), 0) + (0.05 / 2) * W.reduce((s, w) => s + w * w, 0);
    expect(value('loss') - value('ce')).toBeCloseTo(pen, 12);
  });

  it('correct counts argmax == label', async () => {
    const { value } = await run({});
    const ref = labels.filter((y, n) => logits[n].indexOf(Math.max(...logits[n])) === y).length;
    expect(ref).toBeGreaterThan(0);
    expect(ref).toBeLessThan(labels.length);
    expect(value('correct')).toBe(ref);
  });
});

describe('objective gradients vs central differences (float64)', () => {
  const spec = { labelSmoothing: 0.1, l1: 0.03, l2: 0.05 };
  const check = async (rules?: Record<string, Rule>) => {
    const { tg, feeds } = await run({ ...spec, rules });
    return fdCheck(tg.model, feeds, { W: 'grad:W', b: 'grad:b' });
  };

  it('W and b with smoothing, L1 and L2', async () => {
    expect((await check()).worst).toBeLessThan(1e-6);
  });

  it('a LogSoftmax rule without the softmax term fails', async () => {
    expect((await check({ LogSoftmax: (c) => [c.gy[0]] })).worst).toBeGreaterThan(1e-2);
  });

  it('an L1 rule that ignores the sign (Abs as identity) fails', async () => {
    expect((await check({ Abs: (c) => [c.gy[0]] })).worst).toBeGreaterThan(1e-3);
  });

  it('an L2 rule without the factor 2 fails', async () => {
    const half: Rule = (c) =>
      [c.b.op('Expand', [c.b.op('Unsqueeze', [c.gy[0]!, c.b.constI64([0, 1])]), c.b.shape(c.node.inputs[0])])].map((e) =>
        c.b.mul(e, c.node.inputs[0]),
      );
    expect((await check({ ReduceSumSquare: half })).worst).toBeGreaterThan(1e-3);
  });

  it('the mean matters: a rule table that sums (ReduceMean backward without 1/N) fails', async () => {
    const sumBack: Rule = (c) => [c.b.op('Expand', [c.b.op('Unsqueeze', [c.gy[0]!, c.b.constI64([0])]), c.b.shape(c.node.inputs[0])])];
    expect((await check({ ReduceMean: sumBack })).worst).toBeGreaterThan(1e-2);
  });
});
