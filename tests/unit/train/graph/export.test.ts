// Export after training: trained weights and running statistics written back, BN folded into the convs,
// Dropout gone, `logits` out; the encoded model loads in ORT and gives the eval graph's logits.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../main/onnx/ir.js';
import { decodeModel, encodeModel } from '../../../../main/onnx/proto.js';
import { buildEvalGraph } from '../../../../main/train/graph/eval-graph.js';
import { exportInference, type BnRunningStats } from '../../../../main/train/graph/export.js';
import { parameterNames } from '../../../../main/train/graph/prepare.js';
import { buildTrainGraph } from '../../../../main/train/graph/train-graph.js';
import { ARCHITECTURES, type ArchName } from '../../../../main/train/models/arch.js';
import { uniform } from './helpers.js';

/**
 * "Trained" values: every parameter moved, and running statistics taken from a training step on the batch
 * (as a trainer with momentum 1 would), so activations stay normalised and logits O(1–10).
 */
async function trained(forward: Model, x: ort.Tensor) {
  const weights = new Map<string, Float32Array>();
  parameterNames(forward).forEach((w, i) => {
    const t = forward.graph.initializers.get(w)!.data as Float32Array;
    const noise = uniform(t.length, 100 + i, -0.05, 0.05);
    weights.set(
      w,
      t.map((v, j) => v * 1.1 + noise[j]),
    );
  });
  const tg = buildTrainGraph(forward, { trainable: [...weights.keys()], dropoutSeedable: true });
  const N = x.dims[0];
  const feeds: Record<string, ort.Tensor> = { [tg.input]: x, [tg.labels]: new ort.Tensor('int64', new BigInt64Array(N), [N]) };
  for (const p of tg.params) feeds[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.shape);
  for (const d of tg.dropout)
    feeds[d.input] = new ort.Tensor('float32', new Float32Array(N * d.perSample.reduce((a, b) => a * b, 1)).fill(1), [N, ...d.perSample]);
  const s = await ort.InferenceSession.create(encodeModel(tg.model));
  const out = await s.run(feeds);
  await s.release();
  const bnStats = new Map<string, BnRunningStats>();
  for (const b of tg.batchNorm)
    bnStats.set(b.node, { mean: out[b.mean].data as Float32Array, var: out[b.varUnbiased].data as Float32Array });
  return { weights, bnStats };
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  const out = await s.run(feeds);
  await s.release();
  return out.logits.data as Float32Array;
}

describe('exportInference', () => {
  for (const name of ['vgg-small', 'resnet20', 'lenet5'] as ArchName[])
    it(`${name}: BN folded, no Dropout, same logits as the eval graph`, async () => {
      const forward = ARCHITECTURES[name].build({
        channels: 3,
        size: 32,
        classes: 10,
        seed: 2,
        dropout: name === 'lenet5' ? 0.4 : undefined,
      });
      const trainable = parameterNames(forward);
      const N = 4;
      const x = new ort.Tensor('float32', Float32Array.from(uniform(N * 3 * 32 * 32, 7, 0, 1)), [N, 3, 32, 32]);
      const { weights, bnStats } = await trained(forward, x);
      const exported = exportInference(forward, weights, bnStats);
      const ops = exported.graph.nodes.map((n) => n.opType);
      expect(ops).not.toContain('BatchNormalization');
      expect(ops).not.toContain('Dropout');
      expect(exported.graph.outputs.map((o) => o.name)).toEqual(['logits']);
      const bytes = encodeModel(exported);
      expect(decodeModel(bytes).graph.nodes.length).toBe(exported.graph.nodes.length);

      const ev = buildEvalGraph(forward, trainable, { bnParamsAsInputs: true });
      expect(ev.runningStats.length).toBe(bnStats.size);
      const feeds: Record<string, ort.Tensor> = {
        [ev.input]: x,
        [ev.labels]: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n]), [N]),
      };
      for (const p of ev.params) feeds[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.shape);
      for (const r of ev.runningStats) {
        feeds[r.mean] = new ort.Tensor('float32', bnStats.get(r.node)!.mean, [r.channels]);
        feeds[r.var] = new ort.Tensor('float32', bnStats.get(r.node)!.var, [r.channels]);
      }
      const ref = await run(encodeModel(ev.model), feeds);
      const got = await run(bytes, { input: x });
      const maxDiff = Math.max(...ref.map((v, i) => Math.abs(v - got[i])));
      expect(maxDiff).toBeLessThanOrEqual(1e-5);
      // The export really changed the weights: the untrained forward differs.
      const before = await run(encodeModel(forward), { input: x });
      expect(Math.max(...ref.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-2);
    });

  it('keeps a Softmax output and adds the logits beside it', () => {
    const forward = ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10 });
    const g = forward.graph;
    g.nodes.push({ name: 'sm', opType: 'Softmax', domain: '', inputs: ['logits'], outputs: ['prob'], attrs: {} });
    g.outputs = [{ name: 'prob', elemType: 1, shape: ['N', 10] }];
    const exported = exportInference(forward, new Map());
    expect(exported.graph.outputs.map((o) => o.name)).toEqual(['prob', 'logits']);
  });

  it('refuses weights of the wrong size or unknown names', () => {
    const forward = ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10 });
    expect(() => exportInference(forward, new Map([['fc3.bias', new Float32Array(3)]]))).toThrow(/holds 10 values/);
    expect(() => exportInference(forward, new Map([['nope', new Float32Array(3)]]))).toThrow(/no initializer/);
  });
});
