// A real full disk, approximated by a file-size limit on a child process (`ulimit -f`, with SIGXFSZ ignored so
// writes fail with an error instead of killing it): the store says 'disk_full' clearly, and afterwards the database
// is consistent and the runs finished before are intact.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/log/blobs';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome('vs-ulimit-');
afterAll(() => home.cleanup());

describe.skipIf(process.platform === 'win32')('disk full (file-size limit)', () => {
  it('fails writes with disk_full and leaves a consistent database', () => {
    const before = RunStore.open(home.dir);
    const seq = before.createRun({ id: 'finished', kind: 'classify', params: { topK: 5 } });
    before.addMetrics(seq, [{ step: 0, name: 'acc', value: 0.9 }]);
    before.finishRun(seq, 'done', { result: { ok: true } });
    before.close();

    const child = path.resolve('tests/integration/log/fill-disk.child.ts');
    // 2 MiB per file (bash counts -f in 1024-byte blocks).
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 2048; exec "${process.execPath}" --import tsx "${child}" "${home.dir}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const errors = JSON.parse(r.stdout.trim().split('\n').pop()!) as { what: string; code: string; message: string }[];
    expect(errors.find((e) => e.what === 'artifact')).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/disk is full/) });
    expect(errors.find((e) => e.what === 'metrics')).toMatchObject({ code: 'disk_full' });

    const after = RunStore.open(home.dir);
    try {
      expect(after.database.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(after.get('finished')).toMatchObject({ status: 'done', result: { ok: true }, metrics: [{ name: 'acc', values: [0.9] }] });
      after.markInterrupted();
      const filling = after.get('filling');
      expect(['failed', 'interrupted']).toContain(filling.status);
      // Whole batches only: a batch that failed left no rows behind.
      for (const m of filling.metrics) expect(m.values.length % 10_000).toBe(0);
      expect(filling.artifacts).toHaveLength(0);
      // No truncated file sits under a final (content-addressed) name.
      for (const f of fs.readdirSync(path.join(home.dir, 'blobs'), { recursive: true, withFileTypes: true })) {
        if (f.isFile() && /^[0-9a-f]{64}$/.test(f.name))
          expect(BlobStore.hash(fs.readFileSync(path.join(f.parentPath, f.name)))).toBe(f.name);
      }
    } finally {
      after.close();
    }
  });
});
