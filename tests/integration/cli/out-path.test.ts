// Every command that writes a file refuses an --out it cannot write before doing any work, by name and without
// a stack trace: an existing folder, a file in the way, a place no file can be created (/proc).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main';
import { checkOutPath } from '../../../main/util/out-path';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome();
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
});
afterAll(() => home.cleanup());

async function cli(...argv: string[]) {
  const err: string[] = [];
  const t0 = performance.now();
  const code = await runCli(argv, { out: () => {}, err: (s) => err.push(s) });
  return { code, err: err.join('\n'), ms: performance.now() - t0 };
}

describe('checkOutPath', () => {
  it('accepts a new file in folders still to be made (and makes none), refuses a folder, a file on the way and /proc', () => {
    const nested = path.join(home.dir, 'a', 'b', 'c.png');
    expect(() => checkOutPath(nested)).not.toThrow();
    expect(fs.existsSync(path.join(home.dir, 'a'))).toBe(false);
    expect(fs.readdirSync(home.dir).filter((f) => f.startsWith('.vision-studio-write-test'))).toEqual([]);
    expect(() => checkOutPath(home.dir)).toThrow(/is a folder: give a file name, such as .*out\.png/);
    const file = path.join(home.dir, 'plain.txt');
    fs.writeFileSync(file, 'x');
    expect(() => checkOutPath(path.join(file, 'x.png'))).toThrow(/plain\.txt is a file, not a folder/);
    expect(() => checkOutPath('/proc/vision-studio-test.png')).toThrow(/no file can be created in \/proc/);
  });
});

describe.skipIf(!sharedModelsDir)('commands that write a file', () => {
  const photo = () => sharedPath('photos', 'cat.png');
  it('dream, cam and visualize refuse an unwritable --out before running, exit 1, no stack trace', async () => {
    const runs: string[][] = [
      ['dream', '--image', photo(), '--steps', '1', '--out', '/proc/vs-dream.png'],
      ['dream', '--image', photo(), '--steps', '1', '--out', home.dir],
      ['cam', '--image', photo(), '--model', 'mobilenet_v2_1.0_224', '--out', '/proc/vs-cam.png'],
      ['visualize', '--model', 'mobilenet_v2_1.0_224', '--class', '1', '--steps', '1', '--out', '/proc/vs-vis.png'],
    ];
    for (const argv of runs) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/cannot be written|is a folder/);
      expect(r.err).not.toMatch(/unexpected error|\n\s+at /);
      expect(r.ms).toBeLessThan(3000);
    }
  }, 60_000);
});
