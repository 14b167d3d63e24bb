// The CLI's promises to scripts: JSON shapes, exit codes, errors on stderr.
import fs from 'node:fs';
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

describe('vision-studio CLI basics', () => {
  it('prints help with exit 0, and usage errors with exit 2 on stderr', async () => {
    expect((await cli('--help')).code).toBe(0);
    expect((await cli('classify', '--help')).out).toMatch(/Usage: vision-studio classify/);
    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toMatch(/unknown command "frobnicate"/);
    const noFiles = await cli('classify');
    expect(noFiles.code).toBe(2);
    expect((await cli('classify', '--top', 'lots', 'x.png')).code).toBe(2);
  });
});

describe.skipIf(!sharedModelsDir)('vision-studio classify on the shared models', () => {
  it('--json prints one array in the documented shape', async () => {
    const r = await cli(
      'classify',
      '--json',
      '--top',
      '3',
      '--model',
      sharedPath('mobilenet_v2_1.0_224.onnx'),
      sharedPath('photos', 'bird.png'),
    );
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out);
    expect(parsed).toHaveLength(1);
    expect(Object.keys(parsed[0]).sort()).toEqual(['file', 'model', 'ms', 'top']);
    expect(parsed[0].top).toHaveLength(3);
    expect(Object.keys(parsed[0].top[0]).sort()).toEqual(['index', 'label', 'probability']);
    expect(parsed[0].top[0]).toMatchObject({ index: 20, label: 'chickadee' });
  });

  it('walks folders, keeps going past bad files, and exits 3 with the errors on stderr', async () => {
    const dir = path.join(home.dir, 'drop');
    fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
    fs.copyFileSync(sharedPath('photos', 'cat.png'), path.join(dir, 'nested', 'cat.png'));
    fs.writeFileSync(path.join(dir, 'broken.jpg'), 'not really a jpeg');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored: not an image extension');
    const r = await cli('classify', '--json', '--model', 'tiny_darknet_224', dir, path.join(home.dir, 'missing.png'));
    expect(r.code).toBe(3);
    const parsed = JSON.parse(r.out) as { file: string; error?: string; top?: { label: string }[] }[];
    expect(parsed.map((p) => path.basename(p.file))).toEqual(['broken.jpg', 'cat.png', 'missing.png']);
    expect(parsed[0].error).toMatch(/broken\.jpg: not an image/);
    expect(parsed[1].top![0].label).toBe('Egyptian cat');
    expect(parsed[2].error).toMatch(/missing\.png: no such file/);
    expect(r.err).toMatch(/broken\.jpg/);
  });

  it('a model path that is not ONNX fails with exit 1 naming it', async () => {
    const bad = path.join(home.dir, 'fake.onnx');
    fs.writeFileSync(bad, 'nope');
    const r = await cli('classify', '--model', bad, sharedPath('photos', 'bird.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/fake\.onnx/);
  });
});
