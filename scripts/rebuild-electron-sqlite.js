#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into resources/native/<abi>/better_sqlite3.node, leaving the Node build in
// node_modules untouched, so `npm test` (Node) and the desktop app (Electron) both load SQLite without rebuilding
// back and forth. main/log/native.ts picks the file for the running ABI through better-sqlite3's `nativeBinding`.
// Not part of `npm install`: it needs Electron's headers or a prebuilt binary from the network.
//   node scripts/rebuild-electron-sqlite.js [--electron 38.8.6] [--arch x64]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'package.json'));
const { values } = parseArgs({ options: { electron: { type: 'string' }, arch: { type: 'string', default: process.arch } } });

function fail(message) {
  console.error(`rebuild-electron-sqlite: ${message}`);
  console.error('The Node build in node_modules is untouched: tests and the CLI keep working; only the desktop app needs this file.');
  process.exit(1);
}

let electronVersion = values.electron;
if (!electronVersion) {
  try {
    electronVersion = require('electron/package.json').version;
  } catch {
    fail('the electron package is not installed: pass --electron <version> (e.g. --electron 38.8.6).');
  }
}
let abi;
try {
  abi = require('node-abi').getAbi(electronVersion, 'electron');
} catch (e) {
  fail(`cannot tell the ABI of Electron ${electronVersion} (${e.message}); update node-abi.`);
}
let rebuild;
try {
  ({ rebuild } = require('@electron/rebuild'));
} catch {
  fail('@electron/rebuild is not installed (it comes with electron-builder): npm install --save-dev @electron/rebuild');
}

// Build in a throwaway app folder holding a copy of better-sqlite3, never in the project's node_modules.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-sqlite-electron-'));
const src = path.dirname(require.resolve('better-sqlite3/package.json'));
const copy = path.join(work, 'node_modules', 'better-sqlite3');
fs.cpSync(src, copy, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) });
fs.writeFileSync(
  path.join(work, 'package.json'),
  JSON.stringify({ name: 'sqlite-electron-build', version: '0.0.0', dependencies: { 'better-sqlite3': '*' } }),
);

console.log(`Building better-sqlite3 for Electron ${electronVersion} (ABI ${abi}, ${values.arch}) in ${work} ...`);
try {
  await rebuild({ buildPath: work, electronVersion, arch: values.arch, onlyModules: ['better-sqlite3'], force: true });
} catch (e) {
  fs.rmSync(work, { recursive: true, force: true });
  fail(
    `could not build better-sqlite3 for Electron ${electronVersion} (ABI ${abi}): ${e?.message ?? e}\n` +
      "This downloads a prebuilt binary or Electron's headers (for node-gyp), so it needs network access to those hosts and a C++ toolchain for the fallback.",
  );
}
const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
if (!fs.existsSync(built)) fail(`the build finished but ${built} is missing.`);
const dest = path.join(root, 'resources', 'native', String(abi));
fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(built, path.join(dest, 'better_sqlite3.node'));
// Built binaries are machine products, never committed.
fs.writeFileSync(path.join(root, 'resources', 'native', '.gitignore'), '*\n');
fs.rmSync(work, { recursive: true, force: true });
console.log(
  `Wrote ${path.relative(root, path.join(dest, 'better_sqlite3.node'))}: Electron ${electronVersion} loads it; Node keeps node_modules' build.`,
);
