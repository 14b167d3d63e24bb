// vision-studio runs ...: CLI classify runs land in the same log; list --json keeps its documented shape;
// show, export/import between two homes, rm/restore; exit codes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main';
import { makeTempHome } from '../../helpers/temp-home';
import { pngs, tinyNchw } from './helpers';

const home = makeTempHome('vs-log-cli-');
const other = makeTempHome('vs-log-cli2-');
beforeAll(async () => {
  process.env.VISION_STUDIO_HOME = home.dir;
  fs.writeFileSync(path.join(home.dir, 'tiny.onnx'), tinyNchw());
  for (const img of await pngs(3)) fs.writeFileSync(path.join(home.dir, img.name), img.bytes);
});
afterAll(() => {
  home.cleanup();
  other.cleanup();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vision-studio runs', () => {
  let id = '';
  it('logs a CLI classification and lists it with --json in the documented shape', async () => {
    const files = ['img0.png', 'img1.png', 'img2.png'].map((f) => path.join(home.dir, f));
    expect((await cli('classify', '--json', '--model', path.join(home.dir, 'tiny.onnx'), ...files)).code).toBe(0);
    const r = await cli('runs', 'list', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0])).toEqual(['id', 'kind', 'status', 'model', 'created', 'params']);
    expect(list[0]).toMatchObject({ kind: 'classify-batch', status: 'done', model: expect.any(String), params: { topK: 5, files } });
    expect(new Date(list[0].created as string).toISOString()).toBe(list[0].created);
    id = list[0].id as string;
  });

  it('shows a run by id prefix, as text and JSON', async () => {
    const text = await cli('runs', 'show', id.slice(0, 8));
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/classify-batch\s+done/);
    expect(text.out).toMatch(/artifact\s+#\d+ input .*img0\.png image\/png 24x24/);
    const json = JSON.parse((await cli('runs', 'show', id, '--json')).out);
    expect(json.items).toHaveLength(3);
    expect((await cli('runs', 'show', 'zzzz')).code).toBe(1);
  });

  it('exports, and imports into another home identically', async () => {
    const zip = path.join(home.dir, 'out.zip');
    expect((await cli('runs', 'export', id, '-o', zip)).code).toBe(0);
    const before = JSON.parse((await cli('runs', 'show', id, '--json')).out);
    process.env.VISION_STUDIO_HOME = other.dir;
    try {
      const imp = await cli('runs', 'import', zip);
      expect(imp).toMatchObject({ code: 0 });
      expect(imp.out).toMatch(/Imported 1 run/);
      expect((await cli('runs', 'import', zip)).out).toMatch(/skipped 1/);
      const after = JSON.parse((await cli('runs', 'show', id, '--json')).out);
      const strip = (r: { artifacts: { id: number }[]; thumbnail: number | null }) => ({
        ...r,
        thumbnail: null,
        artifacts: r.artifacts.map((a) => ({ ...a, id: 0 })),
      });
      expect(strip(after)).toEqual(strip(before));
      expect((await cli('runs', 'import', path.join(home.dir, 'img0.png'))).code).toBe(1);
    } finally {
      process.env.VISION_STUDIO_HOME = home.dir;
    }
  });

  it('rm hides a run, restore brings it back, --purge deletes for good', async () => {
    expect((await cli('runs', 'rm', id)).out).toMatch(/undo: vision-studio runs restore/);
    expect(JSON.parse((await cli('runs', 'list', '--json')).out)).toHaveLength(0);
    expect((await cli('runs', 'restore', id)).code).toBe(0);
    expect(JSON.parse((await cli('runs', 'list', '--json')).out)).toHaveLength(1);
    expect((await cli('runs', 'rm', '--purge', id)).code).toBe(0);
    expect(JSON.parse((await cli('runs', 'list', '--json', '--deleted')).out)).toHaveLength(0);
  });

  it('prints help and reports usage errors with exit 2', async () => {
    expect((await cli('runs', '--help')).out).toMatch(/Usage: vision-studio runs/);
    expect((await cli('runs', 'list', '--help')).code).toBe(0);
    expect((await cli('runs')).code).toBe(2);
    expect((await cli('runs', 'frob')).code).toBe(2);
    expect((await cli('runs', 'list', '--status', 'weird')).code).toBe(2);
    expect((await cli('runs', 'list', '--since', 'yesterday-ish')).code).toBe(2);
    expect((await cli('runs', 'show')).code).toBe(2);
  });
});
