// Opens the run log database: WAL (readers never block the writer, a killed writer leaves no torn pages),
// foreign keys, a busy timeout (the CLI and the desktop engine may share the file), then migrations.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations/index';
import { nativeBinding } from './native';

export interface OpenOptions {
  /** Migrate up to this version only (tests of older schemas). */
  version?: number;
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const binding = nativeBinding();
  const db = new Database(file, { readonly: options.readonly ?? false, ...(binding ? { nativeBinding: binding } : {}) });
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed transaction survives any process crash or kill; only an OS crash or power
      // loss may roll back the last few (never corrupting). FULL would fsync every commit for little gain here.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db, options.version);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
