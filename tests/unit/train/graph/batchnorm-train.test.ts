// BatchNormalization in training graphs: batch statistics over N, H, W, exact gradients for x, γ and β
// (float64 central differences), the statistics the trainer folds into running ones, and frozen BN layers
// staying in inference mode.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../../main/onnx/grad/differentiate.js';
import type { Rule } from '../../../../main/onnx/grad/context.js';
import { buildTrainGraph } from '../../../../main/train/graph/train-graph.js';
import { fdCheck, runFeeds, session } from './fd.js';
import { bnNet, trainFeeds, uniform } from './helpers.js';

const [N, C, H, W, K] = [4, 3, 2, 2, 4];
const forward = bnNet(C, H, W, K);
const x = uniform(N * C * H * W, 21, -2, 3);
const labels = [0, 3, 1, 2];

/** Per-channel values of x over N, H, W. */
const channel = (c: number) => Array.from({ length: N * H * W }, (_, i) => x[(Math.floor(i / (H * W)) * C + c) * H * W + (i % (H * W))]);

describe('BatchNormalization in training mode', () => {
  const trainable = ['g', 'beta', 'fw', 'fb'];

  it('x, γ, β and the next layer match central differences', async () => {
    const tg = buildTrainGraph(forward, { trainable, dropoutSeedable: true, inputGradient: true });
    expect(tg.model.graph.nodes.find((n) => n.name === 'bn')!.attrs.training_mode).toEqual({ type: 'int', value: 1 });
    const res = await fdCheck(tg.model, trainFeeds(forward, tg, x, labels), {
      x: 'grad:input',
      g: 'grad:g',
      beta: 'grad:beta',
      fw: 'grad:fw',
    });
    expect(res.worst).toBeLessThan(1e-6);
  });

  it('outputs the batch mean and biased/unbiased variance; torch momentum 0.1', async () => {
    const tg = buildTrainGraph(forward, { trainable, dropoutSeedable: true });
    expect(tg.batchNorm).toEqual([
      {
        node: 'bn',
        channels: C,
        epsilon: expect.closeTo(1e-3, 9),
        runningMean: 'rm',
        runningVar: 'rv',
        mean: 'bn_mean:bn',
        var: 'bn_var:bn',
        varUnbiased: 'bn_var_unbiased:bn',
        momentum: expect.closeTo(0.1, 6),
      },
    ]);
    const s = await session(tg.model);
    const out = await runFeeds(s, trainFeeds(forward, tg, x, labels));
    await s.release();
    const m = N * H * W;
    for (let c = 0; c < C; c++) {
      const v = channel(c);
      const mu = v.reduce((a, b) => a + b) / m;
      const ss = v.reduce((a, b) => a + (b - mu) ** 2, 0);
      expect(out['bn_mean:bn'].data[c]).toBeCloseTo(mu, 12);
      expect(out['bn_var:bn'].data[c]).toBeCloseTo(ss / m, 12);
      expect(out['bn_var_unbiased:bn'].data[c]).toBeCloseTo(ss / (m - 1), 12);
    }
  });

  it('the measured defect (training mode through the inference rule) fails the same check', async () => {
    const asInference: Rule = (c) => RULES.BatchNormalization({ ...c, node: { ...c.node, attrs: {} } });
    const tg = buildTrainGraph(forward, {
      trainable,
      dropoutSeedable: true,
      inputGradient: true,
      rules: { BatchNormalization: asInference },
    });
    const res = await fdCheck(tg.model, trainFeeds(forward, tg, x, labels), { x: 'grad:input', g: 'grad:g', beta: 'grad:beta' });
    expect(res.relErr.x).toBeGreaterThan(1e-2);
  });
});

describe('frozen BatchNormalization (γ and β not trained)', () => {
  it('stays in inference mode on the running statistics, reports nothing, and is exact', async () => {
    const tg = buildTrainGraph(forward, { trainable: ['fw', 'fb'], dropoutSeedable: true, inputGradient: true });
    const bn = tg.model.graph.nodes.find((n) => n.name === 'bn')!;
    expect(bn.attrs.training_mode).toBeUndefined();
    expect(bn.outputs).toHaveLength(1);
    expect(tg.batchNorm).toEqual([]);
    expect(['g', 'beta', 'rm', 'rv'].every((w) => tg.model.graph.initializers.has(w))).toBe(true);
    const res = await fdCheck(tg.model, trainFeeds(forward, tg, x, labels), { x: 'grad:input', fw: 'grad:fw' });
    expect(res.worst).toBeLessThan(1e-6);
  });

  it('training only β still trains the layer (batch statistics); running statistics are never trainable', () => {
    expect(buildTrainGraph(forward, { trainable: ['beta'], dropoutSeedable: true }).batchNorm).toHaveLength(1);
    expect(() => buildTrainGraph(forward, { trainable: ['rm'], dropoutSeedable: true })).toThrow(/running statistic/);
  });
});
