// Every earlier schema version, as a real database file with data in it, migrates to the latest without loss.
// Version N's file is made by running migrations up to N (the same SQL that shipped as version N).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/log/db';
import { LATEST_VERSION, migrate } from '../../../main/log/migrations/index';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';

let home: ReturnType<typeof makeTempHome>;
beforeEach(() => (home = makeTempHome('vs-migr-')));
afterEach(() => home.cleanup());

/** Writes rows with the columns every version has (v1's), as an older app would have. */
function seedV1(file: string, version: number): void {
  const db = openDatabase(file, { version });
  expect(db.pragma('user_version', { simple: true })).toBe(version);
  const seq = db
    .prepare(
      `INSERT INTO runs (id, kind, label, status, created_at, started_at, ended_at, duration_ms, model_id, params, seed, app_version, result)
              VALUES ('old', 'dream', 'An old dream', 'done', 1, 2, 5, 3, 'vgg16', '{"octaves":4}', 7, '0.0.9', '{"ok":1}')`,
    )
    .run().lastInsertRowid;
  db.prepare(
    `INSERT INTO runs (id, kind, status, created_at, app_version, engine_pid) VALUES ('stuck', 'style', 'running', 3, '0.0.9', 999999999)`,
  ).run();
  const m = db.prepare(`INSERT INTO metrics (run, step, name, value) VALUES (?, ?, 'loss', ?)`);
  for (let i = 0; i < 10; i++) m.run(seq, i, 10 - i);
  db.prepare(
    `INSERT INTO artifacts (run, role, name, mime, path, sha256, size, width, height, step) VALUES (?, 'output', 'o.png', 'image/png', 'ab/abc', 'abc', 3, 1, 1, 9)`,
  ).run(seq);
  db.prepare(`INSERT INTO items (run, idx, data) VALUES (?, 0, '{"file":"a.png"}')`).run(seq);
  db.prepare(`INSERT INTO tags (run, tag) VALUES (?, 'clouds')`).run(seq);
  db.prepare(`INSERT INTO notes (run, text, updated_at) VALUES (?, 'dreamy lake at dusk', 4)`).run(seq);
  db.close();
}

describe('migrations', () => {
  for (let from = 0; from < LATEST_VERSION; from++) {
    it(`migrates a version ${from} database file to version ${LATEST_VERSION} keeping its runs`, () => {
      const file = path.join(home.dir, 'runs.db');
      if (from === 0)
        fs.writeFileSync(file, ''); // an empty file: what a first start finds
      else seedV1(file, from);
      const store = RunStore.open(home.dir);
      try {
        const db = store.database;
        expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        if (from === 0) return void expect(store.list().total).toBe(0);
        const run = store.get('old');
        expect(run).toMatchObject({
          kind: 'dream',
          status: 'done',
          durationMs: 3,
          params: { octaves: 4 },
          seed: 7,
          appVersion: '0.0.9',
          result: { ok: 1 },
          tags: ['clouds'],
          note: 'dreamy lake at dusk',
          deleted: false,
        });
        expect(run.metrics[0].values).toHaveLength(10);
        expect(run.artifacts).toHaveLength(1);
        expect(run.items).toEqual([{ index: 0, data: { file: 'a.png' } }]);
        // Search works for rows written before the search index existed.
        expect(store.list({ text: 'lake' }).runs.map((r) => r.id)).toEqual(['old']);
        expect(store.list({ text: 'clouds' }).runs.map((r) => r.id)).toEqual(['old']);
        expect(store.markInterrupted()).toBe(1);
        expect(store.get('stuck').status).toBe('interrupted');
      } finally {
        store.close();
      }
    });
  }

  it('is idempotent and refuses a database from a newer version', () => {
    const file = path.join(home.dir, 'runs.db');
    const db = openDatabase(file);
    expect(migrate(db)).toBe(LATEST_VERSION);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => RunStore.open(home.dir)).toThrow(/newer Vision Studio/);
  });

  it('runs each step in a transaction: a failing step leaves the previous version intact', () => {
    const file = path.join(home.dir, 'runs.db');
    const db = openDatabase(file, { version: 1 });
    db.exec(`CREATE TABLE runs_fts (x)`); // makes migration 2 fail half way
    expect(() => migrate(db)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'runs_fts_insert'`).pluck().get()).toBe(0);
    db.close();
  });
});
