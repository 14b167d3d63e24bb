// DeepDream raises its objective within every octave; tiles and a guide each change the pixels; a fixed seed reproduces the
// pixels bit for bit; cancel lands within one step (directly and as an engine job); the CLI prints its
// documented JSON and writes provenance into the PNG.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../main/cli/main';
import { Engine } from '../../../../main/engine/engine';
import type { JobEvent } from '../../../../main/api/contract';
import { dream } from '../../../../main/techniques/dream/dream';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { DreamParams, TextureParams } from '../../../../main/techniques/create-shared/params';
import { readPngText } from '../../../../main/techniques/shared/png-text';
import { readProvenance } from '../../../../main/techniques/shared/provenance';
import { texture } from '../../../../main/techniques/texture/texture';
import { APP_VERSION } from '../../../../main/version';
import { sharedModelsDir, sharedPath } from '../../../helpers/shared-models';
import { darknet, home, photo, pixels, recorder } from './helpers';

afterAll(async () => {
  await releaseRunner();
  home.cleanup();
});

describe.skipIf(!sharedModelsDir)('DeepDream (Tiny Darknet)', () => {
  it('raises the objective within every octave (google/deepdream defaults, small image)', async () => {
    const p = DreamParams.parse({ modelId: 'x', image: photo('cat.png'), size: 160, steps: 6 });
    const r = await dream(await darknet(), p, recorder().r);
    expect(Object.keys(r.parts)).toEqual(['octave1', 'octave2', 'octave3', 'octave4']);
    for (const [k, v] of Object.entries(r.parts)) expect(v.end, k).toBeGreaterThan(v.start);
    expect(r.steps).toBe(24);
  }, 60_000);

  // With a fixed seed a dream is deterministic, so a tiling or a guide that were ignored would give the same
  // pixels as the plain run: each must change them. The guide's own content must matter too.
  it('computes gradients in shifted tiles when the image is larger than a tile', async () => {
    const run = async (tile: number) => {
      const p = DreamParams.parse({ modelId: 'x', image: photo('bird.png'), size: 160, steps: 4, octaves: 1, tile, seed: 5 });
      const r = await dream(await darknet(), p, recorder().r);
      expect(r.parts.octave1.end).toBeGreaterThan(r.parts.octave1.start);
      return (await pixels(r.bytes)).data;
    };
    const tiled = await run(64);
    const whole = await run(512);
    expect(Buffer.compare(tiled, whole)).not.toBe(0);
  }, 60_000);

  it('follows a guide: the guide image changes the dream, and another guide changes it again', async () => {
    const run = async (guide?: string) => {
      const p = DreamParams.parse({
        modelId: 'x',
        image: photo('cat.png'),
        guide: guide ? photo(guide) : undefined,
        size: 96,
        steps: 3,
        octaves: 2,
        seed: 5,
      });
      const r = await dream(await darknet(), p, recorder().r);
      for (const v of Object.values(r.parts)) expect(v.end).toBeGreaterThan(v.start);
      return (await pixels(r.bytes)).data;
    };
    const plain = await run();
    const sunflower = await run('sunflower.png');
    const dragonfly = await run('dragonfly.png');
    expect(Buffer.compare(sunflower, plain)).not.toBe(0);
    expect(Buffer.compare(sunflower, dragonfly)).not.toBe(0);
  }, 60_000);

  it('reproduces the output bit for bit with a fixed seed, and differs with another', async () => {
    const run = async (seed: number) =>
      (
        await pixels(
          (
            await dream(
              await darknet(),
              DreamParams.parse({ modelId: 'x', image: photo('cat.png'), size: 96, steps: 3, octaves: 2, seed }),
              recorder().r,
            )
          ).bytes,
        )
      ).data;
    const a = await run(7);
    const b = await run(7);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, await run(8))).not.toBe(0);
    const tex = async () =>
      (
        await pixels(
          (
            await texture(
              await darknet(),
              TextureParams.parse({ modelId: 'x', sample: photo('sunflower.png'), size: 64, sampleSize: 64, steps: 4, seed: 3 }),
              recorder().r,
            )
          ).bytes,
        )
      ).data;
    expect(Buffer.compare(await tex(), await tex())).toBe(0);
  }, 60_000);

  it('stops within one step of a cancel', async () => {
    const rec = recorder();
    const p = TextureParams.parse({ modelId: 'x', sample: photo('sunflower.png'), size: 96, sampleSize: 96, steps: 50 });
    const orig = rec.r.metric;
    let cancelledAt = -1;
    rec.r.metric = (step, name, value) => {
      orig(step, name, value);
      if (step === 3 && cancelledAt < 0) {
        cancelledAt = step;
        rec.cancel();
      }
    };
    await expect(texture(await darknet(), p, rec.r)).rejects.toThrow(/cancelled/);
    expect(Math.max(...rec.metrics.map((m) => m.step))).toBeLessThanOrEqual(cancelledAt + 1);
  }, 60_000);
});

describe.skipIf(!sharedModelsDir)('create jobs and CLI', () => {
  it('runs create.style as a job with previews, metrics and progress, and cancels create.dream within a step', async () => {
    const engine = new Engine({ transport: 'test', logDir: path.join(home.dir, 'log') });
    const events: JobEvent[] = [];
    engine.onEvent((e) => e.channel === 'job' && events.push(e.payload));
    try {
      const est = await engine.call('create.estimate', { tool: 'style', modelId: sharedPath('tiny_darknet_224.onnx'), size: 96, steps: 6 });
      expect(est.seconds).toBeGreaterThan(0);
      expect(est.peakMb).toBeGreaterThan(100);
      const { jobId } = await engine.call('create.style', {
        modelId: sharedPath('tiny_darknet_224.onnx'),
        content: photo('cat.png'),
        styles: [{ image: photo('sunflower.png') }],
        size: 64,
        steps: 6,
        previewEvery: 2,
      });
      const result = (await engine.services.jobs.wait(jobId)) as { bytes: Uint8Array; steps: number };
      const mine = events.filter((e) => e.jobId === jobId);
      expect(mine.some((e) => e.type === 'preview')).toBe(true);
      expect(mine.filter((e) => e.type === 'metric').length).toBeGreaterThanOrEqual(6);
      expect(mine.some((e) => e.type === 'done')).toBe(true);
      expect(readProvenance(result.bytes)?.technique).toBe('style');

      const d = await engine.call('create.dream', {
        modelId: sharedPath('tiny_darknet_224.onnx'),
        image: photo('cat.png'),
        size: 96,
        steps: 20,
      });
      let stepAtCancel = -1;
      const off = engine.onEvent((e) => {
        if (e.channel === 'job' && e.payload.jobId === d.jobId && e.payload.type === 'metric' && e.payload.step === 2 && stepAtCancel < 0) {
          stepAtCancel = 2;
          engine.services.jobs.cancel(d.jobId);
        }
      });
      await expect(engine.services.jobs.wait(d.jobId)).rejects.toThrow(/cancel/);
      off();
      const steps = events.filter((e) => e.jobId === d.jobId && e.type === 'metric').map((e) => (e as { step: number }).step);
      expect(Math.max(...steps)).toBeLessThanOrEqual(stepAtCancel + 1);
      expect(events.some((e) => e.jobId === d.jobId && e.type === 'cancelled')).toBe(true);
    } finally {
      await engine.dispose();
    }
  }, 60_000);

  it('vision-studio texture --json prints exactly the documented keys and writes provenance chunks', async () => {
    const out = path.join(home.dir, 'tex.png');
    const lines: string[] = [];
    const code = await runCli(
      [
        'texture',
        '--sample',
        sharedPath('photos', 'sunflower.png'),
        '--model',
        sharedPath('tiny_darknet_224.onnx'),
        '--size',
        '64',
        '--steps',
        '3',
        '--seed',
        '5',
        '--out',
        out,
        '--json',
      ],
      { out: (s) => lines.push(s), err: (s) => lines.push(s) },
    );
    expect(code).toBe(0);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j)).toEqual(['out', 'steps', 'loss_start', 'loss_end', 'ms', 'peak_rss_mb']);
    expect(j.steps).toBe(3);
    const text = readPngText(fs.readFileSync(out));
    expect(text['vision-studio:technique']).toBe('texture');
    expect(text['vision-studio:seed']).toBe('5');
    expect(text['vision-studio:app-version']).toBe(APP_VERSION);
    expect(text['vision-studio:model-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(text['vision-studio:layer']).toBe('conv1_1,pool1,pool2,pool3,pool4');
    expect(JSON.parse(text['vision-studio:parameters']).steps).toBe(3);
  }, 60_000);
});
