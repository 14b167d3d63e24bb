// The engine's input gradients against PyTorch autograd (float64) on a small CNN exported by torch itself
// (tests/reference/torch_input_grads.py: Conv with padding, stride and groups, inference BatchNorm, ReLU,
// LeakyReLU, MaxPool, AveragePool, global pooling, Gemm), for every objective kind the tools use. The docs
// promise cosine ≥ 0.9999; measured cosine 1.000000000 and a worst element within 2e-6 of the largest, in both
// precisions. A broken rule (MaxPool spreading its gradient over the window) must fail the same check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { RULES } from '../../../main/onnx/grad/differentiate.js';
import type { Objective } from '../../../main/onnx/loss.js';
import { loadModel } from '../../../main/onnx/proto.js';
import { GradRunner } from '../../../main/onnx/runner.js';

const dir = path.join(__dirname, '..', '..', 'fixtures', 'gradient');
type Enc = { dims: number[]; data: string };
const fx = JSON.parse(fs.readFileSync(path.join(dir, 'torch-input-grads.json'), 'utf8')) as {
  input: Enc;
  styleTarget: Enc;
  cases: Record<string, { objective: Objective; loss: number; grad: Enc }>;
};
const f32 = (e: Enc) => new Float32Array(new Uint8Array(Buffer.from(e.data, 'base64')).buffer);
const f64 = (e: Enc) => new Float64Array(new Uint8Array(Buffer.from(e.data, 'base64')).buffer);
const model = loadModel(path.join(dir, 'small-cnn.onnx'));
const input = f32(fx.input);
const runners = { fast: new GradRunner({ threads: 2 }), exact: new GradRunner({ threads: 2, precision: 'exact' }) };
afterAll(async () => Promise.all(Object.values(runners).map((r) => r.release())));

function agreement(ours: Float32Array, ref: Float64Array) {
  let dot = 0,
    a2 = 0,
    b2 = 0,
    worst = 0,
    scale = 0;
  for (let i = 0; i < ref.length; i++) {
    dot += ours[i] * ref[i];
    a2 += ours[i] * ours[i];
    b2 += ref[i] * ref[i];
    worst = Math.max(worst, Math.abs(ours[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { cos: dot / Math.sqrt(a2 * b2), maxRel: worst / scale };
}

async function gradOf(name: string, precision: 'fast' | 'exact', rules?: Record<string, Rule>) {
  const c = fx.cases[name];
  const spec = { objectives: [{ objective: c.objective }], doubleLoss: true, rules };
  const session = await runners[precision].session(model, spec, fx.input.dims);
  const targets =
    c.objective.kind === 'style' ? { [`gram:${c.objective.tensor}`]: { data: f32(fx.styleTarget), dims: fx.styleTarget.dims } } : {};
  const r = await session.run(input, fx.input.dims, targets);
  return { loss: r.loss, ...agreement(r.grad, f64(c.grad)) };
}

describe('input gradients vs PyTorch autograd (small CNN exported by torch)', () => {
  for (const name of Object.keys(fx.cases))
    for (const precision of ['fast', 'exact'] as const)
      it(`${name} (${precision})`, async () => {
        const r = await gradOf(name, precision);
        console.log(`${name} ${precision}: cos ${r.cos.toFixed(9)}, max rel ${r.maxRel.toExponential(2)}`);
        expect(Math.abs(r.loss - fx.cases[name].loss) / Math.max(1e-12, Math.abs(fx.cases[name].loss))).toBeLessThan(1e-4);
        expect(r.cos).toBeGreaterThanOrEqual(0.9999);
        expect(r.maxRel).toBeLessThan(1e-3);
      });

  it('a MaxPool rule that spreads the gradient over the window (as AveragePool would) fails the same check', async () => {
    const spread: Rule = (c) => RULES.AveragePool(c);
    const r = await gradOf('sumsq', 'exact', { MaxPool: spread });
    console.log(`broken MaxPool: cos ${r.cos.toFixed(4)}`);
    expect(r.cos).toBeLessThan(0.99);
  });
});
