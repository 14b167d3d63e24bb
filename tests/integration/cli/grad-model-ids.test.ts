// `grad` and `layers` take --model like every command: a builtin/imported/catalog id or a path, and
// preprocess --image with the model's own metadata (the same pixels classification sees).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome();
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
});
afterAll(() => home.cleanup());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.skipIf(!sharedModelsDir)('grad and layers with model ids', () => {
  it('an id and its path give the same gradient; --size changes the input shape', async () => {
    const args = ['--objective', 'class:20', '--image', sharedPath('photos', 'bird.png'), '--json'];
    const byId = await cli('grad', '--model', 'mobilenet_v2_1.0_224', ...args);
    const byPath = await cli('grad', '--model', sharedPath('mobilenet_v2_1.0_224.onnx'), ...args);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.out)).toEqual(JSON.parse(byPath.out));
    expect(JSON.parse(byId.out)).toMatchObject({ shape: [1, 3, 224, 224], out: null });
    const small = await cli('grad', '--model', 'mobilenet_v2_1.0_224', ...args, '--size', '160');
    expect(JSON.parse(small.out).shape).toEqual([1, 3, 160, 160]);
  });

  it('layers --model ID lists VGG-style names; an unknown id fails with exit 1 naming it', async () => {
    const r = await cli('layers', '--model', 'tiny_darknet_224', '--json');
    const names = (JSON.parse(r.out) as { layers: { name: string }[] }).layers.map((l) => l.name);
    expect(names).toContain('relu4_1');
    const missing = await cli('layers', '--model', path.join(home.dir, 'nope.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.onnx/);
  });
});
