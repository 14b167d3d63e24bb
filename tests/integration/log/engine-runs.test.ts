// Jobs and immediate calls land in the run log through the real engine (in process): a classify batch is one run
// with inputs and per-image items, classify.image is a run, and runs.* work over the contract.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine/engine';
import { makeTempHome } from '../../helpers/temp-home';
import { pngs, tinyNchw } from './helpers';

const home = makeTempHome('vs-log-engine-');
let engine: Engine;
let modelId: string;
beforeAll(async () => {
  process.env.VISION_STUDIO_HOME = home.dir;
  engine = new Engine({ transport: 'test' });
  modelId = (await engine.call('models.import', { file: { name: 'tiny.onnx', bytes: tinyNchw() } })).id;
});
afterAll(async () => {
  await engine.dispose();
  home.cleanup();
});

describe('the run log in the engine', () => {
  it('logs a classify batch as one run with inputs as artifacts and one item per image', async () => {
    const images = await pngs(5);
    const { jobId } = await engine.call('classify.batch', { images, modelId, topK: 2 });
    await engine.services.jobs.wait(jobId);
    const run = await engine.call('runs.get', { id: jobId });
    expect(run).toMatchObject({
      id: jobId,
      kind: 'classify-batch',
      status: 'done',
      modelId,
      params: { modelId, topK: 2, files: images.map((i) => i.name) },
    });
    expect(run.started).toBeGreaterThanOrEqual(run.created);
    expect(run.items).toHaveLength(5);
    expect(run.items[3].data).toMatchObject({ file: 'img3.png', top: [{}, {}] });
    const inputs = run.artifacts.filter((a) => a.role === 'input');
    expect(inputs.map((a) => [a.name, a.width, a.height, a.mime])).toEqual(images.map((i) => [i.name, 24, 24, 'image/png']));
    const art = await engine.call('runs.artifact', { artifactId: inputs[2].id });
    expect(art.bytes).toEqual(images[2].bytes);
    const thumb = await engine.call('runs.thumbnail', { artifactId: inputs[2].id, size: 16 });
    expect(thumb.mime).toBe('image/webp');
    expect(String.fromCharCode(...thumb.bytes.subarray(8, 12))).toBe('WEBP');
    expect(fs.existsSync(path.join(home.dir, 'log', 'runs.db'))).toBe(true);
  });

  it('logs classify.image as a run, and a failed one as failed', async () => {
    const [img] = await pngs(1);
    const r = await engine.call('classify.image', { image: img, modelId, topK: 1 });
    const { runs } = await engine.call('runs.list', { kind: 'classify', limit: 1 });
    expect(runs[0]).toMatchObject({ kind: 'classify', status: 'done', modelId, thumbnail: expect.any(Number) });
    expect((await engine.call('runs.get', { id: runs[0].id })).result).toEqual(r);
    await expect(
      engine.call('classify.image', { image: { name: 'bad.png', bytes: new Uint8Array([1, 2, 3]) }, modelId, topK: 1 }),
    ).rejects.toThrow();
    const failed = await engine.call('runs.list', { kind: 'classify', status: 'failed' });
    expect(failed.runs[0].error?.code).toBe('bad_image');
  });

  it('tags, notes, searches, deletes with undo, exports and imports over the contract', async () => {
    const { runs } = await engine.call('runs.list', {});
    const id = runs[0].id;
    expect(await engine.call('runs.tag', { id, add: ['keeper'] })).toEqual({ tags: ['keeper'] });
    await engine.call('runs.note', { id, text: 'lovely result' });
    expect((await engine.call('runs.list', { text: 'lovely' })).runs.map((r) => r.id)).toEqual([id]);
    const zip = await engine.call('runs.export', { ids: [id] });
    expect(zip.name).toMatch(/\.zip$/);
    expect(await engine.call('runs.delete', { ids: [id] })).toEqual({ deleted: 1 });
    expect((await engine.call('runs.list', {})).runs.some((r) => r.id === id)).toBe(false);
    expect(await engine.call('runs.restore', { ids: [id] })).toEqual({ restored: 1 });
    expect(await engine.call('runs.import', { file: { name: 'x.zip', bytes: zip.bytes } })).toEqual({ imported: [], skipped: [id] });
    await expect(engine.call('runs.import', { file: { name: 'x.zip', bytes: new Uint8Array([1, 2]) } })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(engine.call('runs.get', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('does not log downloads', async () => {
    const jobId = engine.services.jobs.start({ kind: 'download', label: 'x', lane: 'io', run: async () => 1 });
    await engine.services.jobs.wait(jobId);
    await expect(engine.call('runs.get', { id: jobId })).rejects.toMatchObject({ code: 'not_found' });
  });
});
