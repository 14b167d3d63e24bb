// One better-sqlite3 build per ABI: resources/native/<abi>/better_sqlite3.node is used when present (Electron),
// else node_modules' default build (Node). VISION_STUDIO_NATIVE_DIR points the lookup at a test folder here.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/log/db';
import { nativeBinding, nativeBindingCandidates } from '../../../main/log/native';
import { makeTempHome } from '../../helpers/temp-home';

let home: ReturnType<typeof makeTempHome>;
beforeEach(() => {
  home = makeTempHome('vs-native-');
  process.env.VISION_STUDIO_NATIVE_DIR = path.join(home.dir, 'native');
});
afterEach(() => {
  delete process.env.VISION_STUDIO_NATIVE_DIR;
  home.cleanup();
});

describe('native binding per ABI', () => {
  it('falls back to the default (Node) build when no per-ABI build exists', () => {
    expect(nativeBindingCandidates('139')[0]).toBe(path.join(home.dir, 'native', '139', 'better_sqlite3.node'));
    expect(nativeBinding()).toBeUndefined();
    const db = openDatabase(path.join(home.dir, 'a.db'));
    expect(db.prepare('SELECT sqlite_version()').pluck().get()).toMatch(/^3\./);
    db.close();
  });

  it('loads the build in native/<abi>/ for the running ABI', () => {
    const dir = path.join(home.dir, 'native', process.versions.modules);
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, 'better_sqlite3.node');
    fs.copyFileSync(createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node'), target);
    expect(nativeBinding()).toBe(target);
    const db = openDatabase(path.join(home.dir, 'b.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // Proof that the per-ABI file is the one loaded: it is in Node's module cache under its own path.
    expect(createRequire(import.meta.url).cache[target]).toBeDefined();
  });
});
