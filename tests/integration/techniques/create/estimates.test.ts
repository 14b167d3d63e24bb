// Create's time estimates as a person meets them: they grow with the steps and the size, they allow for
// other programs slowing the machine, and after a run the estimate for that model and tool has learned
// from it, so the next run with the same settings lands within ±30% of it (whatever the machine's load,
// which the engine measures and allows for). No timing is hard-coded: every figure is this machine's own.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../main/engine/engine';
import { calibrationFor } from '../../../../main/techniques/create-shared/calibration';
import { graphEstimate } from '../../../../main/techniques/create-shared/estimate';
import { estimateWith } from '../../../../main/techniques/create-shared/estimate-here';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { CreateResult } from '../../../../main/techniques/create-shared/params';
import { sharedModelsDir, sharedPath } from '../../../helpers/shared-models';
import { darknet, home, photo } from './helpers';

let engine: Engine;
beforeAll(() => {
  engine = new Engine({ transport: 'test' });
});
afterAll(async () => {
  await engine.dispose();
  await releaseRunner();
  home.cleanup();
});

const within30 = (estimate: number, took: number) => took / estimate > 1 / 1.3 && took / estimate < 1.3;

describe.skipIf(!sharedModelsDir)('create estimates', () => {
  it('grow with the steps and the image size, and with the load other programs put on the machine', async () => {
    const meta = await darknet();
    const base = { tool: 'texture' as const, size: 128, steps: 50, layers: [] };
    const a = graphEstimate(meta, base).stepSeconds;
    // Twice the steps: twice the evaluations (plus the two every run makes).
    expect(graphEstimate(meta, { ...base, steps: 100 }).stepSeconds / a).toBeGreaterThan(1.9);
    expect(graphEstimate(meta, { ...base, steps: 100 }).stepSeconds / a).toBeLessThan(2.05);
    // Twice the side: four times the pixels.
    expect(graphEstimate(meta, { ...base, size: 256 }).stepSeconds / a).toBeCloseTo(4, 1);
    // DeepDream's steps are per octave, its octaves shrink by 1.4 each.
    const d = { tool: 'dream' as const, size: 256, steps: 10, layers: [] };
    expect(graphEstimate(meta, { ...d, octaves: 2 }).stepSeconds).toBeGreaterThan(graphEstimate(meta, { ...d, octaves: 1 }).stepSeconds);
    // A machine twice as busy: twice the time.
    expect(estimateWith(meta, base, 2).seconds).toBeCloseTo(2 * estimateWith(meta, base, 1).seconds, 0);
  });

  it('learn from each run: a rerun of texture synthesis lands within ±30% of the estimate, and states both', async () => {
    const meta = await darknet();
    const modelId = sharedPath('tiny_darknet_224.onnx');
    const sample = photo('sunflower.png');
    const settings = { size: 96, steps: 12 };
    // As the page asks: the tool's settings and its images by name and size.
    const input = { tool: 'texture' as const, ...settings, layers: [], inputs: [`${sample.name}:${sample.bytes.length}`] };
    const before = await engine.call('create.estimate', { ...input, modelId });
    expect(before.runs).toBe(0);
    expect(before.stretch).toBeGreaterThanOrEqual(1);

    const run = async () =>
      CreateResult.parse(
        await engine.services.jobs.wait((await engine.call('create.texture', { modelId, sample, previewEvery: 5, ...settings })).jobId),
      );
    const first = await run();
    // The result states what the run took next to what was estimated for it.
    expect(first.estimatedSeconds).toBe(before.seconds);
    expect(first.ms).toBeGreaterThan(0);
    expect(first.stretch).toBeGreaterThanOrEqual(1);
    const after = await engine.call('create.estimate', { ...input, modelId });
    expect(after.runs).toBe(1);
    // Kept where the engine keeps its data, for the next session.
    expect(JSON.parse(fs.readFileSync(path.join(home.dir, 'create-timings.json'), 'utf8'))[`${meta.id}|texture`].runs).toBe(1);
    // Another sample needs its sessions built, as the first run did: at the load that run met, the estimate is what it took.
    const fresh = { ...input, inputs: ['brick.png:1234'] };
    expect(within30(estimateWith(meta, fresh, first.stretch!).seconds, first.ms / 1000)).toBe(true);

    // The same sample again reuses the sessions: what was learned, at the load the second run met.
    const learned = estimateWith(meta, input, 1).seconds;
    expect(learned).toBeLessThan(estimateWith(meta, fresh, 1).seconds);
    const second = await run();
    const took = second.ms / 1000;
    expect(within30(learned * second.stretch!, took), `estimated ${learned} s × ${second.stretch}, took ${took} s`).toBe(true);
    expect(calibrationFor(meta.id, 'texture')?.runs).toBe(2);
  }, 120_000);

  it('know that a second DeepDream reuses its sessions whatever the photo, and land within ±30% of it', async () => {
    const meta = await darknet();
    const modelId = sharedPath('tiny_darknet_224.onnx');
    const settings = { size: 224, steps: 8, octaves: 2 };
    const input = { tool: 'dream' as const, ...settings, layers: [] };
    const run = async (name: string) =>
      CreateResult.parse(
        await engine.services.jobs.wait((await engine.call('create.dream', { modelId, image: photo(name), ...settings })).jobId),
      );
    const cold = estimateWith(meta, input, 1).seconds;
    await run('cat.png');
    expect(calibrationFor(meta.id, 'dream')?.setupSeconds).toBeGreaterThan(0);
    const learned = estimateWith(meta, { ...input, inputs: ['bird.png:1'] }, 1).seconds;
    expect(learned).toBeLessThan(cold);
    const second = await run('bird.png');
    const took = second.ms / 1000;
    expect(within30(learned * second.stretch!, took), `estimated ${learned} s × ${second.stretch}, took ${took} s`).toBe(true);
  }, 120_000);
});
