// Forward-only migrations. Version N's SQL turns a version N-1 database into version N; the version lives in
// PRAGMA user_version. Never edit a shipped migration: add the next one.
import type Database from 'better-sqlite3';
import { up as v1 } from './001_init';
import { up as v2 } from './002_search';
import { up as v3 } from './003_trash';
import { up as v4 } from './004_engine';

export const MIGRATIONS: readonly string[] = [v1, v2, v3, v4];
export const LATEST_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` to `target` (default: latest), each step in its own transaction. Refuses a newer database. */
export function migrate(db: Database.Database, target = LATEST_VERSION): number {
  const from = schemaVersion(db);
  if (from > LATEST_VERSION) {
    throw new Error(`the run log was written by a newer Vision Studio (schema ${from}, this one knows ${LATEST_VERSION})`);
  }
  for (let v = from; v < target; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return schemaVersion(db);
}
