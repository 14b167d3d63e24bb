// Create's time estimates as a person meets them: they grow with the steps and the size, they allow for
// other programs slowing the machine, and after a run the estimate for that model and tool has learned
// from it, so the next runs with the same settings land within ±30% of it at the load they meet (the engine
// measures the load and allows for it). No timing is hard-coded: every figure is this machine's own.
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
/**
 * What runs took with the load they met taken out (ms ÷ stretch, in seconds), the median of three: a burst of
 * other programs' work in the middle of one run is not something an estimate made before it can know.
 */
async function idleMedian(run: () => Promise<CreateResult>): Promise<{ median: number; runs: string }> {
  const rs: CreateResult[] = [];
  for (let i = 0; i < 3; i++) rs.push(await run());
  const idle = rs.map((r) => r.ms / 1000 / r.stretch!).sort((a, b) => a - b);
  return { median: idle[1], runs: rs.map((r) => `${r.ms} ms at ×${r.stretch}`).join(', ') };
}

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

  it('learn from each run: reruns of texture synthesis land within ±30% of the estimate, and the result states both', async () => {
    const meta = await darknet();
    const modelId = sharedPath('tiny_darknet_224.onnx');
    const sample = photo('sunflower.png');
    const settings = { size: 128, steps: 20 };
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

    // The same sample again reuses the sessions, so its estimate leaves their build out. The first run in a process
    // also pays one-off costs (the first forward pass, compiling the JavaScript): reruns teach the steps' own time
    // (two, as a person's would: one run's load can change halfway through).
    expect(estimateWith(meta, input, 1).seconds).toBeLessThan(estimateWith(meta, fresh, 1).seconds);
    await run();
    await run();
    const learned = estimateWith(meta, input, 1).seconds;
    const again = await idleMedian(run);
    expect(within30(learned, again.median), `estimated ${learned} s on an idle machine; reruns: ${again.runs}`).toBe(true);
    expect(calibrationFor(meta.id, 'texture')?.runs).toBe(6);
  }, 120_000);

  it('know that DeepDream reuses its sessions whatever the photo, and land within ±30% of the reruns', async () => {
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
    expect(estimateWith(meta, { ...input, inputs: ['bird.png:1'] }, 1).seconds).toBeLessThan(cold);
    await run('bird.png');
    await run('cat.png');
    const learned = estimateWith(meta, input, 1).seconds;
    const again = await idleMedian(() => run('bird.png'));
    expect(within30(learned, again.median), `estimated ${learned} s on an idle machine; reruns: ${again.runs}`).toBe(true);
  }, 120_000);
});
