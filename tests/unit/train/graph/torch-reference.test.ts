// Against PyTorch on the same weights, inputs, labels and dropout masks (tests/reference/torch_train_graph.py
// wrote them with torch's float64 results): one training step's loss, correct count, every parameter's
// gradient and the BN statistics, on LeNet-5 and a small BN + dropout net, run as the trainer runs it (ORT
// level 'all', float32).
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../../main/onnx/ir.js';
import { encodeModel } from '../../../../main/onnx/proto.js';
import { parameterNames } from '../../../../main/train/graph/prepare.js';
import { buildTrainGraph } from '../../../../main/train/graph/train-graph.js';
import { ARCHITECTURES } from '../../../../main/train/models/arch.js';
import { NetBuilder } from '../../../../main/train/models/net.js';

interface Enc {
  dims: number[];
  data: string;
}
interface Case {
  input: Enc;
  labels: number[];
  labelSmoothing: number;
  l1: number;
  l2: number;
  penalised: string[];
  masks: Record<string, Enc>;
  weights: Record<string, Enc>;
  loss: number;
  ce: number;
  correct: number;
  grads: Record<string, Enc>;
  bn: Record<string, Record<'mean' | 'var' | 'varUnbiased' | 'runningMean' | 'runningVar', Enc>>;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../fixtures/train/torch-train-graph.json'), 'utf8')) as {
  cases: Record<string, Case>;
};
const f32 = (e: Enc) => {
  const b = Buffer.from(e.data, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** The BN + dropout net of the reference script, with the same parameter names. */
function bnNet(): Model {
  const n = new NetBuilder('input', [3, 8, 8], { init: 'torch-default' });
  let x = n.maxPool(n.relu(n.bn('bn1', n.conv('conv1', 'input', 4, 3, { pad: 1, bias: false }))));
  x = n.maxPool(n.relu(n.bn('bn2', n.conv('conv2', x, 6, 3, { pad: 1, bias: false }))));
  return n.finish(n.linear('fc', n.dropout('dropout', n.flatten(x), 0.25), 5));
}

const models: Record<string, () => Model> = {
  lenet5: () => ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, dropout: 0.5, init: 'torch-default' }),
  bn_net: bnNet,
};

/** max |a − b| / max |b|. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let s = 1e-12;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
};

describe('one training step against PyTorch (float64 reference)', () => {
  for (const [name, c] of Object.entries(fixture.cases))
    it(name, async () => {
      const forward = models[name]();
      const trainable = parameterNames(forward);
      expect(new Set(trainable)).toEqual(new Set(Object.keys(c.grads)));
      const tg = buildTrainGraph(forward, { trainable, labelSmoothing: c.labelSmoothing, l1: c.l1, l2: c.l2, dropoutSeedable: true });
      expect(tg.penalised).toEqual(c.penalised);
      const N = c.labels.length;
      const feeds: Record<string, ort.Tensor> = {
        [tg.input]: new ort.Tensor('float32', f32(c.input), c.input.dims),
        [tg.labels]: new ort.Tensor('int64', BigInt64Array.from(c.labels.map(BigInt)), [N]),
      };
      for (const p of tg.params) feeds[p.name] = new ort.Tensor('float32', f32(c.weights[p.name]), p.shape);
      for (const d of tg.dropout) feeds[d.input] = new ort.Tensor('float32', f32(c.masks[d.node]), c.masks[d.node].dims);
      const s = await ort.InferenceSession.create(encodeModel(tg.model), { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
      const out = await s.run(feeds);
      await s.release();

      expect(Math.abs(Number(out.loss.data[0]) / c.loss - 1)).toBeLessThan(1e-5);
      expect(Math.abs(Number(out.ce.data[0]) / c.ce - 1)).toBeLessThan(1e-5);
      expect(Number(out.correct.data[0])).toBe(c.correct);
      for (const p of tg.params) expect(relErr(out[p.grad].data as Float32Array, f32(c.grads[p.name])), p.name).toBeLessThan(1e-5);

      expect(tg.batchNorm.map((b) => b.node)).toEqual(Object.keys(c.bn));
      for (const b of tg.batchNorm) {
        const ref = c.bn[b.node];
        expect(relErr(out[b.mean].data as Float32Array, f32(ref.mean))).toBeLessThan(1e-5);
        expect(relErr(out[b.var].data as Float32Array, f32(ref.var))).toBeLessThan(1e-5);
        expect(relErr(out[b.varUnbiased].data as Float32Array, f32(ref.varUnbiased))).toBeLessThan(1e-5);
        // The trainer's update, from the initial running statistics (0 and 1).
        const m = b.momentum;
        const mean = out[b.mean].data as Float32Array;
        const vu = out[b.varUnbiased].data as Float32Array;
        const rm0 = f32(c.weights[b.runningMean]);
        const rv0 = f32(c.weights[b.runningVar]);
        expect(
          relErr(
            rm0.map((r, i) => (1 - m) * r + m * mean[i]),
            f32(ref.runningMean),
          ),
        ).toBeLessThan(1e-5);
        expect(
          relErr(
            rv0.map((r, i) => (1 - m) * r + m * vu[i]),
            f32(ref.runningVar),
          ),
        ).toBeLessThan(1e-5);
      }
    });
});
