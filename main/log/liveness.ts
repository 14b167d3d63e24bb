// Is the engine that wrote a run still alive? Each store holds an exclusive SQLite lock on its own small file
// (<log>/engines/<token>.lock) for as long as it is open. The OS drops that lock when the process dies, however it
// dies (kill -9, crash, power loss), so "can I take the lock?" answers "is it dead?" without trusting pids.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { nativeBinding } from './native';

const open = (file: string): Database.Database => {
  const binding = nativeBinding();
  return new Database(file, { timeout: 0, ...(binding ? { nativeBinding: binding } : {}) });
};

export class EngineLock {
  private constructor(
    readonly token: string,
    private readonly file: string,
    private readonly db: Database.Database,
  ) {}

  static acquire(logDir: string): EngineLock {
    const dir = path.join(logDir, 'engines');
    fs.mkdirSync(dir, { recursive: true });
    const token = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
    const file = path.join(dir, `${token}.lock`);
    const db = open(file);
    // An open EXCLUSIVE transaction holds the file's lock until close or death.
    db.exec('BEGIN EXCLUSIVE');
    return new EngineLock(token, file, db);
  }

  release(): void {
    if (!this.db.open) return;
    this.db.close();
    for (const f of [this.file, `${this.file}-journal`]) fs.rmSync(f, { force: true });
  }
}

export function engineAlive(logDir: string, token: string): boolean {
  const file = path.join(logDir, 'engines', `${token}.lock`);
  if (!fs.existsSync(file)) return false;
  let db: Database.Database | undefined;
  try {
    db = open(file);
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (e) {
    return (e as { code?: string }).code === 'SQLITE_BUSY' || (e as { code?: string }).code === 'SQLITE_LOCKED';
  } finally {
    db?.close();
  }
}

/** Removes the lock files of engines that are gone (left behind by kills and crashes). */
export function sweepLocks(logDir: string): void {
  const dir = path.join(logDir, 'engines');
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    const m = /^(.+)\.lock$/.exec(f);
    if (m && !engineAlive(logDir, m[1])) for (const x of [f, `${f}-journal`]) fs.rmSync(path.join(dir, x), { force: true });
  }
}
