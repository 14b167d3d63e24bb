// "Your model's loss" on a real training run: LeNet-5 trained here on Fashion-MNIST PNG folders, then sliced
// through the engine's job (playground.modelSlice). The slice's centre is the trained model's loss on the same
// images computed another way (Classify's session on the exported file, cross-entropy in float64); a trained
// model sits in a basin (the grid's minimum near the centre); the interpolated surface's gradient matches
// finite differences on the real grid; cancel stops the job; bad requests are refused by name.
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainResult } from '../../../main/api/contract';
import type { ModelSliceResult } from '../../../main/api/contract-playground';
import { infer, prepareModel, preprocessImage } from '../../../main/classify/classify';
import { Engine } from '../../../main/engine/engine';
import { loadLabels } from '../../../main/models/labels';
import { gridSurface } from '../../../main/playground/grid-surface';
import { sliceSamples } from '../../../main/playground/model-slice';
import { fashionMnistAvailable, writeFashionMnistFolders } from '../../../main/train/data/fashion-mnist';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome('vs-slice-');
process.env.VISION_STUDIO_HOME = home.dir;
const data = path.join(home.dir, 'fmnist');
const haveData = fashionMnistAvailable() || !!process.env.CI;
let engine: Engine;
let trained: TrainResult;
let runId = '';

beforeAll(async () => {
  if (!haveData) return;
  engine = new Engine({ transport: 'test', logDir: path.join(home.dir, 'log') });
  await writeFashionMnistFolders(data, { perClass: 100, valPerClass: 20 });
  const { jobId } = await engine.call('train.start', {
    dataset: data,
    mode: 'scratch',
    arch: 'lenet5',
    epochs: 3,
    batch: 32,
    optimizer: 'adam',
    seed: 0,
  } as never);
  runId = jobId;
  trained = await engine.services.jobs.wait<TrainResult>(jobId);
}, 240_000);

afterAll(async () => {
  await engine?.dispose();
  home.cleanup();
});

async function slice(params: Record<string, unknown>): Promise<ModelSliceResult> {
  const { jobId } = await engine.call('playground.modelSlice', params as never);
  return engine.services.jobs.wait<ModelSliceResult>(jobId);
}

describe.skipIf(!haveData)('a slice of a trained LeNet-5', () => {
  let r: ModelSliceResult;

  it("has the trained model's loss at its centre and its minimum near the centre", async () => {
    r = await slice({ runId, grid: 11, span: 1, seed: 1, images: 150 });
    expect(r.alphas).toHaveLength(11);
    expect(r.loss).toHaveLength(11);
    expect(r.images).toBe(150);
    expect(r.model.id).toBe(trained.modelId);
    // Conv and Gemm weights: 2 + 3 tensors, 61,470 of LeNet-5's values less biases (the grey conversion is fixed).
    expect(r.weights.tensors).toBe(5);

    // The same 150 validation images through Classify's session of the exported file, cross-entropy in float64.
    const meta = engine.services.models.resolveId(trained.modelId);
    const labels = [...loadLabels(meta.labels)];
    const { classes, samples } = await sliceSamples({ kind: 'run', root: data, seed: 0 }, 150);
    const model = await prepareModel(meta, engine.services.sessions, labels);
    let ce = 0;
    for (const s of samples) {
      const img = await preprocessImage(s.file, new Uint8Array(fs.readFileSync(s.file)), meta);
      const [z] = await infer(model, [img.tensor]);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      ce += lse - z[labels.indexOf(classes[s.label])];
    }
    const reference = ce / samples.length;
    const centre = r.loss[5][5];
    expect(Math.abs(centre - reference) / reference).toBeLessThan(1e-5);

    // A trained network sits in a basin: the grid's lowest point is within one grid step of the centre and
    // every corner (a step of 1 along both directions) is far above it.
    let best = [0, 0];
    for (let j = 0; j < 11; j++) for (let i = 0; i < 11; i++) if (r.loss[j][i] < r.loss[best[1]][best[0]]) best = [i, j];
    const corners = [r.loss[0][0], r.loss[0][10], r.loss[10][0], r.loss[10][10]];
    console.log(
      `slice: centre ${centre.toFixed(4)} (reference ${reference.toFixed(4)}), min ${r.loss[best[1]][best[0]].toFixed(4)} at (${r.alphas[best[0]]}, ${r.betas[best[1]]}), corners ${corners.map((c) => c.toFixed(2)).join(' ')}, ${r.ms.toFixed(0)} ms`,
    );
    expect(Math.hypot(r.alphas[best[0]], r.betas[best[1]])).toBeLessThanOrEqual(0.2 * Math.SQRT2 + 1e-9);
    for (const c of corners) expect(c).toBeGreaterThan(1.5 * centre);
  }, 120_000);

  it('is the same slice for the same seed, another for another seed', async () => {
    const again = await slice({ runId, grid: 3, span: 1, seed: 1, images: 150 });
    expect(again.loss[0][0]).toBe(r.loss[0][0]);
    expect(again.loss[2][2]).toBe(r.loss[10][10]);
    const other = await slice({ runId, grid: 3, span: 1, seed: 2, images: 150 });
    expect(other.loss[1][1]).toBe(r.loss[5][5]);
    expect(other.loss[0][0]).not.toBe(r.loss[0][0]);
  }, 60_000);

  it('interpolates to a surface whose gradient matches finite differences on the real grid', () => {
    const s = gridSurface(r);
    expect(s.f(0, 0)).toBeCloseTo(r.loss[5][5], 12);
    const e = 1e-6;
    for (const [x, y] of [
      [0.05, 0.03],
      [-0.47, 0.61],
      [0.83, -0.92],
      [-0.15, -0.35],
    ]) {
      const [gx, gy] = s.grad(x, y);
      expect(gx).toBeCloseTo((s.f(x + e, y) - s.f(x - e, y)) / (2 * e), 5);
      expect(gy).toBeCloseTo((s.f(x, y + e) - s.f(x, y - e)) / (2 * e), 5);
    }
  });

  it('slices a model on any labelled folder (modelId + dataset)', async () => {
    const f = await slice({ modelId: trained.modelId, dataset: path.join(data, 'val'), grid: 3, span: 0.5, images: 40 });
    expect(f.images).toBe(40);
    expect(f.loss.flat().every(Number.isFinite)).toBe(true);
  }, 60_000);

  it('cancels between grid points', async () => {
    const { jobId } = await engine.call('playground.modelSlice', { runId, grid: 61, images: 150 } as never);
    await new Promise<void>((resolve) => {
      const off = engine.onEvent((e) => {
        if (e.channel === 'job' && e.payload.jobId === jobId && e.payload.type === 'progress' && e.payload.fraction > 0) {
          engine.services.jobs.cancel(jobId);
          off();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    await expect(engine.services.jobs.wait(jobId)).rejects.toMatchObject({ code: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(2_000);
  }, 60_000);

  it('refuses what it cannot slice, saying why', async () => {
    await expect(engine.call('playground.modelSlice', { runId, grid: 63 } as never)).rejects.toThrow(/61/);
    await expect(engine.call('playground.modelSlice', { runId, images: 4096 } as never)).rejects.toThrow(/2048/);
    await expect(engine.call('playground.modelSlice', { modelId: trained.modelId } as never)).rejects.toThrow(
      /runId, or modelId with dataset/,
    );
    await expect(engine.call('playground.modelSlice', { runId: 'nope' } as never)).rejects.toThrow(/No run nope/);
  });
});
