// Whole-model gradients of the real pretrained models vs finite differences along random pixel
// directions, through the runner (real ORT sessions). ORT's CPU Conv is float32 only, so the check is
// in float32: FD of a LeakyReLU/MaxPool network has kink and rounding noise, hence the stated tolerances
// (10% worst direction, 3% median, cosine over all directions ≥ 0.998). The loss is accumulated in
// float64 (doubleLoss) and h is 1e-5 of the pixel range so few kinks are crossed. A wrong LeakyReLU
// slope fails the same check (last test). The precise whole-model check is bench/gradient (PyTorch
// autograd: agreement to 1e-6 where no MaxPool near-tie flips).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GradGraphSpec } from '../../../main/onnx/grad-graph.js';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { RULES } from '../../../main/onnx/grad/differentiate.js';
import { aFloat } from '../../../main/onnx/ir.js';
import type { Objective } from '../../../main/onnx/loss.js';
import { loadModel } from '../../../main/onnx/proto.js';
import { GradRunner } from '../../../main/onnx/runner.js';
import { rng } from '../../unit/onnx/gradcheck.js';
import { sharedModelsDir, sharedSkipReason } from '../../helpers/shared-models.js';

const runner = new GradRunner({ threads: 2 });
afterAll(() => runner.release());

async function checkModel(
  file: string,
  objective: Objective,
  size: number,
  lo: number,
  hi: number,
  directions = 6,
  relH = 1e-5,
  rules?: GradGraphSpec['rules'],
) {
  const model = loadModel(path.join(sharedModelsDir!, file));
  const r = rng(Number(process.env.FD_SEED ?? 11));
  const dims = [1, 3, size, size];
  const n = 3 * size * size;
  const x = Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  const spec: GradGraphSpec = { objectives: [{ objective }], doubleLoss: true, rules };
  const session = await runner.session(model, spec, dims);
  expect(session.graph.dynamic).toBe(true);
  const base = await session.run(x, dims);
  const h = Number(process.env.FD_H ?? relH) * (hi - lo);
  const ad: number[] = [];
  const fd: number[] = [];
  for (let k = 0; k < directions; k++) {
    const v = Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1));
    const xp = x.map((a, i) => a + h * v[i]);
    const xm = x.map((a, i) => a - h * v[i]);
    const lp = (await session.run(xp, dims)).loss;
    const lm = (await session.run(xm, dims)).loss;
    fd.push((lp - lm) / (2 * h));
    let dot = 0;
    for (let i = 0; i < n; i++) dot += base.grad[i] * v[i];
    ad.push(dot);
  }
  const scale = Math.max(...fd.map(Math.abs));
  const devs = ad.map((a, k) => Math.abs(a - fd[k]) / scale);
  // A direction can cross a few LeakyReLU/MaxPool kinks even at this h: allow one in ten, not a trend.
  for (let k = 0; k < directions; k++) expect(devs[k], `direction ${k}: AD ${ad[k]} FD ${fd[k]}`).toBeLessThan(0.1);
  expect([...devs].sort((a, b) => a - b)[Math.floor(directions / 2)], 'median deviation').toBeLessThan(0.03);
  const dot = ad.reduce((s, a, i) => s + a * fd[i], 0);
  const cos = dot / Math.sqrt(ad.reduce((s, a) => s + a * a, 0) * fd.reduce((s, a) => s + a * a, 0));
  console.log(
    `${file} ${objective.kind}: max rel dev ${Math.max(...ad.map((a, k) => Math.abs(a - fd[k]) / scale)).toExponential(2)}, cos ${cos.toFixed(6)}`,
  );
  expect(cos).toBeGreaterThan(0.998);
  return base;
}

describe.skipIf(!sharedModelsDir)(`real models${sharedModelsDir ? '' : ` (${sharedSkipReason})`}`, () => {
  it('Tiny Darknet: sum of squares of leaky_re_lu_6 (through BN, LeakyReLU, MaxPool)', () =>
    checkModel('tiny_darknet_224.onnx', { kind: 'sumsq', tensor: 'leaky_re_lu_6' }, 48, 0, 1));
  it('Tiny Darknet: class logit through GAP + Flatten at an odd size', () =>
    checkModel('tiny_darknet_224.onnx', { kind: 'class', tensor: 'logits', index: 7 }, 45, 0, 1));
  it('Tiny Darknet: Gram style term on leaky_re_lu_4', () =>
    checkModel('tiny_darknet_224.onnx', { kind: 'gram', tensor: 'leaky_re_lu_4' }, 40, 0, 1));
  it('MobileNetV2: class logit (Clip, depthwise, residual Add, GAP, Gemm)', () =>
    checkModel('mobilenet_v2_1.0_224.onnx', { kind: 'class', tensor: 'logits', index: 20 }, 64, -1, 1));
  it('MobileNetV2: cross-entropy to a class', () =>
    // CE's directional derivatives are small differences of logit gradients: a larger h keeps rounding noise below them.
    checkModel('mobilenet_v2_1.0_224.onnx', { kind: 'crossentropy', tensor: 'logits', index: 94 }, 48, -1, 1, 6, 1e-4));
  it('MobileNetV2: one channel of block_5_add', () =>
    checkModel('mobilenet_v2_1.0_224.onnx', { kind: 'channel', tensor: 'block_5_add', channel: 3 }, 56, -1, 1));
  it('one session serves several image sizes', async () => {
    const model = loadModel(path.join(sharedModelsDir!, 'tiny_darknet_224.onnx'));
    const spec = { objectives: [{ objective: { kind: 'sumsq' as const, tensor: 'leaky_re_lu_2' } }] };
    const a = await runner.session(model, spec, [1, 3, 32, 32]);
    const b = await runner.session(model, spec, [1, 3, 50, 38]);
    expect(b).toBe(a);
    const r = await b.run(new Float32Array(3 * 50 * 38).fill(0.5), [1, 3, 50, 38]);
    expect(r.dims).toEqual([1, 3, 50, 38]);
  });
  it('a LeakyReLU rule with slope 0.2 instead of 0.1 fails the same check', async () => {
    const wrong: Rule = (c) => RULES.LeakyRelu({ ...c, node: { ...c.node, attrs: { ...c.node.attrs, alpha: aFloat(0.2) } } });
    await expect(
      checkModel('tiny_darknet_224.onnx', { kind: 'class', tensor: 'logits', index: 7 }, 45, 0, 1, 6, 1e-5, { LeakyRelu: wrong }),
    ).rejects.toThrow(/expected/);
  });
});
