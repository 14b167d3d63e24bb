// A full disk in process: SQLite's page limit (PRAGMA max_page_count) makes writes fail with SQLITE_FULL exactly as
// a full disk does. The caller gets StudioError 'disk_full'; the transaction rolls back; the database stays consistent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';

let home: ReturnType<typeof makeTempHome>;
let store: RunStore;
beforeEach(() => {
  home = makeTempHome('vs-full-');
  store = RunStore.open(home.dir);
});
afterEach(() => {
  store.close();
  home.cleanup();
});

describe('disk full', () => {
  it('fails a write with disk_full, rolls it back whole, and keeps earlier runs', () => {
    const done = store.createRun({ id: 'done', kind: 'k', params: { a: 1 } });
    store.addMetrics(done, [{ step: 0, name: 'loss', value: 1 }]);
    store.finishRun(done, 'done');
    const seq = store.createRun({ id: 'big', kind: 'k', status: 'running' });
    const pages = store.database.pragma('page_count', { simple: true }) as number;
    store.database.pragma(`max_page_count = ${pages + 2}`);
    const points = Array.from({ length: 50_000 }, (_, i) => ({ step: i, name: 'loss', value: Math.random() }));
    let error: unknown;
    try {
      store.addMetrics(seq, points);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/disk is full.*finished runs are safe/) });
    // Nothing of the failed batch is there; the earlier run is complete; the file is sound.
    expect(store.database.prepare('SELECT count(*) FROM metrics WHERE run = ?').pluck().get(seq)).toBe(0);
    expect(store.get('done')).toMatchObject({ status: 'done', metrics: [{ name: 'loss', values: [1] }] });
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    // Space again: the run can still finish.
    store.database.pragma('max_page_count = 1073741823');
    store.finishRun(seq, 'failed', { error: { code: 'disk_full', message: 'full' } });
    expect(store.get('big').status).toBe('failed');
  });
});
