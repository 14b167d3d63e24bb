// Type-checks the Node side (engine, shell, tests) with tsc and the renderer with svelte-check.
// electron/ needs Electron's own typings, which ship inside the `electron` package: where npm skipped that optional
// package (its engines field asks for Node ≥ 22.12), the locked version's tarball is fetched and unpacked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

const electronDir = path.join(root, 'node_modules', 'electron');
const typings = path.join(electronDir, 'electron.d.ts');

/**
 * Electron 45's package declares Node ≥ 22.12, so on Node 20 npm skips it as an optional dependency and its typings
 * (electron.d.ts ships inside it) are missing. Fetch the locked version's tarball and unpack it without running its
 * install script (no binary): electron/ is then type-checked here as on a desktop machine. Offline, this fails.
 */
function fetchElectronTypes() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.['node_modules/electron']?.version;
  if (!version) return false;
  const tmp = fs.mkdtempSync(path.join(root, 'node_modules', '.electron-pack-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['pack', `electron@${version}`, '--pack-destination', tmp, '--silent'], { cwd: tmp, encoding: 'utf8' });
    const tgz = r.status === 0 ? r.stdout.trim().split('\n').pop() : '';
    if (!tgz) return false;
    fs.mkdirSync(electronDir, { recursive: true });
    return (
      spawnSync('tar', ['-xzf', path.join(tmp, tgz), '-C', electronDir, '--strip-components=1']).status === 0 && fs.existsSync(typings)
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const hasElectronTypes = fs.existsSync(typings) || fetchElectronTypes();
let ok = true;
if (hasElectronTypes) ok = run(bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']) && ok;
else {
  console.log("typecheck: electron/ skipped (Electron's typings could not be fetched: the npm registry is not reachable)");
  // CI always reaches the registry: a shell that is never type-checked must not pass there.
  if (process.env.CI) ok = false;
  ok = run(bin('tsc'), ['-p', 'tsconfig.engine.json', '--noEmit']) && ok;
}
ok = run(bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human']) && ok;
process.exit(ok ? 0 : 1);
