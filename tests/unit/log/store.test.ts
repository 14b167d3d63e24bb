// The run log store on real SQLite files: writes, reads, filters, full-text search, delete/undo/purge, interruption.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/log/blobs';
import { LATEST_VERSION } from '../../../main/log/migrations/index';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';

let home: ReturnType<typeof makeTempHome>;
let store: RunStore;
beforeEach(() => {
  home = makeTempHome('vs-log-');
  store = RunStore.open(home.dir);
});
afterEach(() => {
  store.close();
  home.cleanup();
});

const png = (w: number, h: number, r = 200): Promise<Uint8Array> =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 10, b: 10 } } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

describe('RunStore', () => {
  it('opens with WAL, foreign keys and the latest schema', () => {
    const db = store.database;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('records a run with metrics, items, artifacts and a final status', async () => {
    const seq = store.createRun({
      id: 'r1',
      kind: 'dream',
      label: 'Dream',
      modelId: 'vgg16',
      modelSha256: 'abc',
      params: { steps: 3, lr: 0.1 },
      seed: 42,
    });
    store.startRun(seq, 1000);
    store.addMetrics(seq, [
      { step: 0, name: 'loss', value: 3 },
      { step: 1, name: 'loss', value: 2 },
      { step: 0, name: 'tv', value: 0.5 },
    ]);
    store.addItem(seq, 0, { file: 'a.png', top: [1] });
    const img = await png(7, 5);
    const a = store.addArtifact(seq, { role: 'output', name: 'out.png', mime: 'image/png', bytes: img, width: 7, height: 5, step: 1 });
    store.finishRun(seq, 'done', { result: { ok: true } }, 1500);

    const run = store.get('r1');
    expect(run).toMatchObject({
      id: 'r1',
      kind: 'dream',
      status: 'done',
      started: 1000,
      ended: 1500,
      durationMs: 500,
      modelId: 'vgg16',
      modelSha256: 'abc',
      seed: 42,
      params: { steps: 3, lr: 0.1 },
      result: { ok: true },
      thumbnail: a,
    });
    expect(run.metrics).toEqual([
      { name: 'loss', steps: [0, 1], values: [3, 2] },
      { name: 'tv', steps: [0], values: [0.5] },
    ]);
    expect(run.items).toEqual([{ index: 0, data: { file: 'a.png', top: [1] } }]);
    expect(run.artifacts[0]).toMatchObject({ role: 'output', width: 7, height: 5, step: 1, size: img.length });
    expect(store.artifact(a).bytes).toEqual(img);
    // Content-addressed: <blobs>/ab/abcdef...
    const sha = run.artifacts[0].sha256;
    expect(fs.existsSync(path.join(home.dir, 'blobs', sha.slice(0, 2), sha))).toBe(true);
  });

  it('stores equal files once', async () => {
    const img = await png(4, 4);
    const s1 = store.createRun({ id: 'a', kind: 'k' });
    const s2 = store.createRun({ id: 'b', kind: 'k' });
    store.addArtifact(s1, { role: 'input', mime: 'image/png', bytes: img });
    store.addArtifact(s2, { role: 'input', mime: 'image/png', bytes: img });
    const files = fs.readdirSync(path.join(home.dir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files).toHaveLength(1);
  });

  it('lists with filters, paging, tags and full-text search over notes and tags', () => {
    for (let i = 0; i < 30; i++) {
      const seq = store.createRun({
        id: `r${i}`,
        kind: i % 2 ? 'classify' : 'dream',
        label: `run ${i}`,
        modelId: i % 3 ? 'resnet' : 'vgg',
        created: 1000 + i,
      });
      store.finishRun(seq, i % 5 ? 'done' : 'failed', { error: i % 5 ? undefined : { code: 'bad', message: 'boom' } });
    }
    expect(store.list().total).toBe(30);
    expect(store.list({ limit: 5 }).runs.map((r) => r.id)).toEqual(['r29', 'r28', 'r27', 'r26', 'r25']);
    expect(store.list({ limit: 5, offset: 25 }).runs.map((r) => r.id)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect(store.list({ kind: 'classify' }).total).toBe(15);
    expect(store.list({ model: 'vgg', kind: 'dream' }).total).toBe(5);
    expect(store.list({ status: 'failed' }).runs.every((r) => r.error?.message === 'boom')).toBe(true);
    expect(store.list({ from: 1010, to: 1019 }).total).toBe(10);

    expect(store.tag('r3', ['favourite', 'sky'], [])).toEqual(['favourite', 'sky']);
    expect(store.tag('r3', [], ['sky'])).toEqual(['favourite']);
    store.tag('r4', ['sky'], []);
    store.note('r5', 'Beautiful clouds over the lake, octave 4');
    expect(store.list({ tag: 'favourite' }).runs.map((r) => r.id)).toEqual(['r3']);
    expect(store.list({ text: 'sky' }).runs.map((r) => r.id)).toEqual(['r4']);
    expect(store.list({ text: 'cloud' }).runs.map((r) => r.id)).toEqual(['r5']);
    expect(store.list({ text: 'lake octave' }).runs[0]).toMatchObject({ id: 'r5', note: 'Beautiful clouds over the lake, octave 4' });
    expect(store.list({ text: '"unbalanced AND (' }).total).toBe(0);
    store.note('r5', '');
    expect(store.list({ text: 'cloud' }).total).toBe(0);
    expect(() => store.tag('nope', ['x'], [])).toThrow(/No run nope/);
  });

  it('deletes with undo and purges for good, removing only unshared blobs', async () => {
    const shared = await png(3, 3, 1);
    const own = await png(3, 3, 2);
    const a = store.createRun({ id: 'a', kind: 'k' });
    const b = store.createRun({ id: 'b', kind: 'k' });
    store.addArtifact(a, { role: 'input', mime: 'image/png', bytes: shared });
    store.addArtifact(a, { role: 'output', mime: 'image/png', bytes: own });
    store.addArtifact(b, { role: 'input', mime: 'image/png', bytes: shared });
    expect(store.delete(['a'], 1000)).toBe(1);
    expect(store.list().runs.map((r) => r.id)).toEqual(['b']);
    expect(store.list({ includeDeleted: true }).runs.find((r) => r.id === 'a')?.deleted).toBe(true);
    expect(store.restore(['a'])).toBe(1);
    expect(store.list().total).toBe(2);
    store.delete(['a'], 1000);
    expect(store.purgeDeleted(2000)).toBe(1);
    expect(() => store.get('a')).toThrow(/No run a/);
    expect(store.blobs.has(BlobStore.hash(shared))).toBe(true);
    expect(store.blobs.has(BlobStore.hash(own))).toBe(false);
    expect(store.database.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(0);
  });

  it('marks runs of a dead engine interrupted, keeps those of a live one and finished ones', () => {
    // Another engine (a second store on the same folder) with a run in progress: alive while it is open.
    const other = RunStore.open(home.dir);
    other.createRun({ id: 'other', kind: 'k', status: 'running' });
    const a = store.createRun({ id: 'dead', kind: 'k', status: 'running' });
    store.createRun({ id: 'live', kind: 'k', status: 'running' });
    const c = store.createRun({ id: 'done', kind: 'k' });
    store.finishRun(c, 'done');
    const legacy = store.createRun({ id: 'legacy', kind: 'k', status: 'queued' });
    // 'dead' was written by an engine whose lock is gone; 'legacy' predates engine tokens and has a dead pid.
    store.database.prepare(`UPDATE runs SET engine = 'gone-123' WHERE seq = ?`).run(a);
    store.database.prepare('UPDATE runs SET engine = NULL, engine_pid = 999999999 WHERE seq = ?').run(legacy);
    expect(store.markInterrupted()).toBe(2);
    expect(store.get('dead')).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    expect(store.get('legacy').status).toBe('interrupted');
    expect(store.get('live').status).toBe('running');
    expect(store.get('other').status).toBe('running');
    expect(store.get('done').status).toBe('done');
    // The other engine goes away without finishing its run (its lock is released as by a kill): now interrupted.
    other.close();
    expect(store.markInterrupted()).toBe(1);
    expect(store.get('other').status).toBe('interrupted');
    expect(fs.readdirSync(path.join(home.dir, 'engines')).filter((f) => f.endsWith('.lock'))).toEqual([`${store.engineToken}.lock`]);
  });
});
