// CLI technique commands land in the same run log as UI jobs: kind, model, parameters, the input photo and the
// written PNG as the run's output artifact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome('vs-log-cli-tech-');
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
});
afterAll(() => home.cleanup());

const quiet = { out: () => {}, err: () => {} };

describe.skipIf(!sharedModelsDir)('CLI technique runs in the log', () => {
  it('cam and adversarial each leave a done run with the input and the output image', async () => {
    const out = path.join(home.dir, 'cam.png');
    expect(
      await runCli(['cam', '--image', sharedPath('photos', 'bird.png'), '--model', 'tiny_darknet_224', '--out', out, '--json'], quiet),
    ).toBe(0);
    const adv = path.join(home.dir, 'adv.png');
    const code = await runCli(
      ['adversarial', '--image', sharedPath('photos', 'cat.png'), '--model', 'tiny_darknet_224', '--out', adv],
      quiet,
    );
    expect([0, 3]).toContain(code);
    const store = RunStore.open(path.join(home.dir, 'log'));
    try {
      const runs = store.list({}).runs;
      const kinds = runs.map((r) => r.kind).sort();
      expect(kinds).toEqual(['explain-adversarial', 'explain-cam']);
      for (const summary of runs) {
        const run = store.get(summary.id);
        expect(run.status).toBe('done');
        expect(run.modelId).toBe('tiny_darknet_224');
        const roles = run.artifacts.map((a) => a.role).sort();
        expect(roles).toContain('input');
        expect(roles).toContain('output');
      }
      const cam = store.get(runs.find((r) => r.kind === 'explain-cam')!.id);
      const output = cam.artifacts.find((a) => a.role === 'output')!;
      expect(Buffer.from(store.artifact(output.id).bytes).equals(fs.readFileSync(out))).toBe(true);
      expect(cam.params).toMatchObject({ file: 'bird.png', method: 'gradcam' });
    } finally {
      store.close();
    }
  });
});

describe.skipIf(!sharedModelsDir)('CLI Create runs in the log', () => {
  it('texture leaves a done create-texture run with its sample and output image', async () => {
    const out = path.join(home.dir, 'tex.png');
    const argv = [
      'texture',
      '--sample',
      sharedPath('photos', 'sunflower.png'),
      '--model',
      'tiny_darknet_224',
      '--size',
      '48',
      '--steps',
      '3',
    ];
    expect(await runCli([...argv, '--seed', '1', '--out', out], quiet)).toBe(0);
    const store = RunStore.open(path.join(home.dir, 'log'));
    try {
      const summary = store.list({ kind: 'create-texture' }).runs[0];
      const run = store.get(summary.id);
      expect(run).toMatchObject({ status: 'done', modelId: 'tiny_darknet_224', seed: 1 });
      expect(run.artifacts.find((a) => a.role === 'input')?.name).toMatch(/sunflower\.png$/);
      const output = run.artifacts.find((a) => a.role === 'output')!;
      expect(Buffer.from(store.artifact(output.id).bytes).equals(fs.readFileSync(out))).toBe(true);
    } finally {
      store.close();
    }
  });
});
