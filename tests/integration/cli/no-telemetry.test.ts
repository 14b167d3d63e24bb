// A real `vision-studio classify` in a child process with HOME and TMPDIR pointing at empty folders: ONNX Runtime's
// telemetry (device id, event queue under ~/.cache/Microsoft, $TMPDIR/mat-debug-<pid>.log) must leave no trace, and
// nothing may be written outside VISION_STUDIO_HOME. The model is given as a path (the CLI still takes paths).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempHome } from '../../helpers/temp-home';
import { tinyNchw } from '../models/tiny-onnx';

const root = makeTempHome('vs-telemetry-');
afterAll(() => root.cleanup());

/** Every file and folder under `dir`, relative. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('ONNX Runtime telemetry', () => {
  it('a CLI classify writes nothing outside VISION_STUDIO_HOME', async () => {
    const [home, tmp, studio, work] = ['home', 'tmp', 'studio', 'work'].map((d) => path.join(root.dir, d));
    for (const d of [home, tmp, studio, work]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(work, 'tiny.onnx'), tinyNchw());
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 90 } } })
      .png()
      .toFile(path.join(work, 'photo.png'));
    const workBefore = tree(work);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, VISION_STUDIO_HOME: studio, TSX_DISABLE_CACHE: '1' };
    for (const k of ['ORT_DISABLE_TELEMETRY', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME']) delete env[k];
    const loader = path.resolve('node_modules/tsx/dist/loader.mjs');
    const cli = path.resolve('tests/integration/cli/cli-main.child.ts');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', loader, cli, 'classify', '--json', '--model', path.join(work, 'tiny.onnx'), path.join(work, 'photo.png')],
        { cwd: work, env, timeout: 60_000 },
        (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)),
      ),
    );
    expect(JSON.parse(stdout)).toHaveLength(1); // it really classified (one ORT session)
    expect(tree(home)).toEqual([]);
    expect(tree(tmp)).toEqual([]);
    expect(tree(work)).toEqual(workBefore);
    expect(tree(studio).some((f) => f.startsWith('log'))).toBe(true); // the run log is the one thing written
  }, 90_000);
});
