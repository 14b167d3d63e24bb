// The hostile image corpus (tests/hostile/make-corpus.ts): truncated files, bombs claiming 20000-65535 px a side,
// renamed files, a FIFO, a symlink loop, a folder and a dangling link under image names. Through the CLI (one batch,
// in process) and through a real engine child process (by value, as a page sends them): each gives an error naming
// the file and the reason, the batch finishes, the engine stays up and classifies a good photo afterwards, and memory
// stays bounded (bound stated below; decoding any one bomb would take 1.2-12 GB).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyResult, ModelMeta } from '../../../main/api/contract';
import { runCli } from '../../../main/cli/main';
import type { EngineClient } from '../../../main/engine/engine-client';
import { readImageFile } from '../../../main/image/read-file';
import { makeTempHome } from '../../helpers/temp-home';
import { makeImageCorpus, type HostileCase } from '../../hostile/make-corpus';
import { onnxBytes } from '../../hostile/onnx-builder';
import { peakRssMiB, startEngine, within } from './helpers';

/** Memory bounds: the CLI process may grow by at most this much over the whole corpus, the engine peak at most this. */
const CLI_GROWTH_MIB = 300;
const ENGINE_PEAK_MIB = 1024;

const home = makeTempHome('vs-hostile-images-');
let cases: HostileCase[];
let good: string;
let model: string;
beforeAll(async () => {
  process.env.VISION_STUDIO_HOME = home.dir;
  cases = await makeImageCorpus(path.join(home.dir, 'corpus'));
  good = path.join(home.dir, 'good.png');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3060c0' } })
    .png()
    .toFile(good);
  model = path.join(home.dir, 'tiny.onnx');
  fs.writeFileSync(model, onnxBytes({ input: ['data', ['N', 3, 224, 224]] }));
});
afterAll(() => home.cleanup());

describe('hostile images', () => {
  it('the CLI reports every case by file and reason, finishes the batch, classifies the good photo, stays bounded', async () => {
    const listed = cases.filter((c) => c.id !== 'folder'); // a folder argument is walked, not read (below)
    const out: string[] = [];
    const err: string[] = [];
    const before = process.memoryUsage().rss;
    const code = await within(
      runCli(['classify', '--json', '--model', model, ...listed.map((c) => c.file), good], {
        out: (s) => out.push(s),
        err: (s) => err.push(s),
      }),
      60_000,
      'classify of the corpus',
    );
    const grewMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(code).toBe(3); // some files failed
    const results = JSON.parse(out.join('\n')) as ClassifyResult[];
    for (const c of listed) {
      const r = results.find((x) => x.file === c.file);
      expect(r, c.id).toBeDefined();
      expect({ id: c.id, error: r!.error }).toMatchObject({ id: c.id, error: expect.stringContaining(c.file) });
      expect({ id: c.id, error: r!.error }).toMatchObject({ id: c.id, error: expect.stringMatching(c.reason) });
    }
    if (process.env.VS_HOSTILE_VERBOSE) console.log(err.join('\n'));
    expect(results.find((x) => x.file === good)?.top?.length).toBeGreaterThan(0);
    expect(grewMiB, `rss grew ${grewMiB.toFixed(0)} MiB`).toBeLessThan(CLI_GROWTH_MIB);
    // A folder named .jpg is refused by the reader itself, at once.
    const folder = cases.find((c) => c.id === 'folder')!;
    await expect(readImageFile(folder.file)).rejects.toMatchObject({ message: expect.stringMatching(/folder\.jpg: not a regular file/) });
  }, 120_000);

  describe('through a real engine process', () => {
    let engine: EngineClient;
    let meta: ModelMeta;
    beforeAll(async () => {
      engine = startEngine(home.dir);
      const imported = await engine.request('models.import', {
        file: { name: 'tiny.onnx', bytes: new Uint8Array(fs.readFileSync(model)) },
      });
      if (!imported.ok) throw new Error(imported.error.message);
      meta = imported.result as ModelMeta;
    });
    afterAll(() => engine.stop());

    it('every file sent by value gets its error naming it; the engine keeps its pid, classifies afterwards, peak memory bounded', async () => {
      const byValue = cases.filter((c) => fs.lstatSync(c.file).isFile());
      expect(byValue.length).toBeGreaterThan(10);
      const call = (name: string, bytes: Uint8Array) => engine.request('classify.image', { image: { name, bytes }, modelId: meta.id });
      await call('good.png', new Uint8Array(fs.readFileSync(good)));
      const pid = engine.pid!;
      for (const c of byValue) {
        const name = path.basename(c.file);
        const r = await within(call(name, new Uint8Array(fs.readFileSync(c.file))), 30_000, c.id);
        // classify.image answers with a result carrying the error (as a batch entry does), or a coded error.
        const message = r.ok ? (r.result as ClassifyResult).error : r.error.message;
        expect({ id: c.id, message }).toMatchObject({
          id: c.id,
          message: expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')}: `)),
        });
        expect({ id: c.id, message }).toMatchObject({ id: c.id, message: expect.stringMatching(c.reason) });
      }
      expect(engine.pid).toBe(pid);
      const after = await call('good.png', new Uint8Array(fs.readFileSync(good)));
      expect(after.ok && (after.result as ClassifyResult).top?.length).toBeGreaterThan(0);
      const peak = peakRssMiB(pid);
      if (peak !== null) expect(peak, `engine peak ${peak.toFixed(0)} MiB`).toBeLessThan(ENGINE_PEAK_MIB);
      console.log(`engine peak RSS over the corpus: ${peak?.toFixed(0) ?? 'n/a'} MiB`);
    }, 120_000);
  });
});
