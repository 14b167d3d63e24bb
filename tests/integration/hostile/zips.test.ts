// The hostile run-export corpus (tests/hostile/make-corpus.ts) through `vision-studio runs import`, in process: a
// manifest bomb (100 MiB of zeros), a blob bomb (600 MiB), not a zip, a truncated zip, no manifest, a manifest that is
// not JSON / nested 5000 deep / of the wrong shape, entry names with ../ and /etc, a FIFO and a symlink loop named
// .zip. Each is refused naming the file (the traversal zip imports nothing and writes nothing), the log is unchanged,
// and memory stays under the import's own cap (512 MiB an entry) plus a margin.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main';
import { makeTempHome } from '../../helpers/temp-home';
import { makeZipCorpus, type HostileCase } from '../../hostile/make-corpus';
import { within } from './helpers';

const GROWTH_MIB = 512 + 256;

const home = makeTempHome('vs-hostile-zips-');
let cases: HostileCase[];
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
  cases = makeZipCorpus(path.join(home.dir, 'corpus'));
});
afterAll(() => home.cleanup());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await within(runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }), 30_000, argv.join(' '));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('hostile run exports', () => {
  it('runs import refuses each naming the file, leaves the log empty, stays within its cap', async () => {
    const before = process.memoryUsage().rss;
    for (const c of cases) {
      const r = await cli('runs', 'import', c.file);
      if (c.id === 'traversal names') {
        // Entries other than manifest.json and blobs/<sha256> are skipped unread: nothing is written anywhere.
        expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/Imported 0 runs/) });
        continue;
      }
      expect({ id: c.id, code: r.code }).toEqual({ id: c.id, code: 1 });
      expect({ id: c.id, err: r.err }).toMatchObject({ err: expect.stringContaining(path.basename(c.file)) });
      expect({ id: c.id, err: r.err }).toMatchObject({ err: expect.stringMatching(c.reason) });
    }
    for (const evil of ['evil.txt', '../evil.txt', 'etc/evil'])
      expect(fs.existsSync(path.resolve(home.dir, evil)) || fs.existsSync(path.resolve(home.dir, 'corpus', evil))).toBe(false);
    expect((await cli('runs', 'list', '--json')).out).toMatch(/^\[\s*\]$|"runs":\s*\[\]/);
    const grew = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grew, `rss grew ${grew.toFixed(0)} MiB`).toBeLessThan(GROWTH_MIB);
  }, 120_000);
});
