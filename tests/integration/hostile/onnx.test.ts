// The hostile ONNX corpus (tests/hostile/make-corpus.ts): absurd input sides and initializer sizes, a cycle, a graph
// nested 2000 deep, external data outside the folder / absolute / through a link / 2 GiB long / past the end / from a
// FIFO / missing, truncated, garbage, empty, a FIFO, a symlink loop and a folder named model.onnx. Each is refused at
// import (ONNX Runtime's path) with bad_model naming the file, and the IR path (`layers`, gradients, training) either
// refuses it naming the file or, where the graph itself is harmless to read, reads it. The cases a page can send by
// value go through a real engine child process, which keeps its pid.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract';
import { runCli } from '../../../main/cli/main';
import { ModelRegistry } from '../../../main/models/registry';
import { loadModel } from '../../../main/onnx/proto';
import { makeTempHome } from '../../helpers/temp-home';
import { makeOnnxCorpus, type HostileCase } from '../../hostile/make-corpus';
import { peakRssMiB, startEngine, within } from './helpers';

const CLI_GROWTH_MIB = 300;
const ENGINE_PEAK_MIB = 1024;

const home = makeTempHome('vs-hostile-onnx-');
let cases: HostileCase[];
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
  cases = makeOnnxCorpus(path.join(home.dir, 'corpus'));
});
afterAll(() => home.cleanup());

const label = (c: HostileCase) => path.relative(path.join(home.dir, 'corpus'), c.file);

describe('hostile ONNX files', () => {
  it('import and in-place opening refuse each naming the file and the reason; nothing is registered; memory bounded', async () => {
    const reg = new ModelRegistry({ root: path.join(home.dir, 'models'), extraDirs: [], catalog: [] });
    const refusal = async (c: HostileCase, p: Promise<unknown>): Promise<StudioError> => {
      const e = await within(
        p.then(
          () => null,
          (x: unknown) => x,
        ),
        30_000,
        c.id,
      );
      expect(e, c.id).toBeInstanceOf(StudioError);
      const { code, message } = e as StudioError;
      expect({ id: c.id, code }).toEqual({ id: c.id, code: expect.stringMatching(/^(bad_model|not_found)$/) });
      expect({ id: c.id, message }).toMatchObject({ id: c.id, message: expect.stringContaining(label(c)) });
      return e as StudioError;
    };
    const before = process.memoryUsage().rss;
    for (const c of cases) {
      // Import copies the .onnx alone into the studio's folder, so its external data is missing there whatever it was.
      await refusal(c, reg.import({ path: c.file }));
      // In place (the CLI's --model PATH): ONNX Runtime sees the real folder, links and all.
      const { message } = await refusal(c, reg.resolveAsync(c.file));
      expect({ id: c.id, message }).toMatchObject({ id: c.id, message: expect.stringMatching(c.reason) });
    }
    expect(reg.list()).toEqual([]);
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(CLI_GROWTH_MIB);
  }, 120_000);

  it('the IR reader (layers, gradients, training) refuses each naming the file, or reads a harmless graph', async () => {
    const readable = new Set(['side 100000', 'side 2^31-1', 'cycle']); // refused later, by import and topological sort
    for (const c of cases) {
      let message: string | null = null;
      try {
        loadModel(c.file);
      } catch (e) {
        expect(e, c.id).toBeInstanceOf(StudioError);
        message = (e as Error).message;
      }
      if (readable.has(c.id)) continue;
      expect({ id: c.id, message }).toMatchObject({ id: c.id, message: expect.stringContaining(c.file) });
    }
    // `layers` on the cycle: refused by the topological sort, naming the node, exit 1, no crash.
    const err: string[] = [];
    const cycle = cases.find((c) => c.id === 'cycle')!;
    const code = await runCli(['layers', cycle.file], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/cycle|acyclic/);
  }, 60_000);

  it('a real engine refuses the by-value cases and stays up', async () => {
    const engine = startEngine(home.dir);
    try {
      const first = await engine.request('app.info', {});
      expect(first.ok).toBe(true);
      const pid = engine.pid!;
      const byValue = cases.filter((c) => fs.lstatSync(c.file).isFile() && fs.statSync(c.file).isFile());
      for (const c of byValue) {
        const r = await within(
          engine.request('models.import', { file: { name: `${c.id}.onnx`, bytes: new Uint8Array(fs.readFileSync(c.file)) } }),
          30_000,
          c.id,
        );
        expect({ id: c.id, ok: r.ok }).toEqual({ id: c.id, ok: false });
        if (!r.ok) expect({ id: c.id, message: r.error.message }).toMatchObject({ message: expect.stringContaining(`${c.id}.onnx`) });
      }
      expect(engine.pid).toBe(pid);
      expect((await engine.request('app.info', {})).ok).toBe(true);
      const peak = peakRssMiB(pid);
      if (peak !== null) expect(peak).toBeLessThan(ENGINE_PEAK_MIB);
    } finally {
      engine.stop();
    }
  }, 120_000);
});
