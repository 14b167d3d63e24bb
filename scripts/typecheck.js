// Type-checks the Node side (engine, shell, tests) with tsc and the renderer with svelte-check.
// electron/ needs Electron's own typings, which ship inside the `electron` package: where its
// (optional) install was dropped because the binary could not be downloaded, that part is skipped with one line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

const hasElectronTypes = fs.existsSync(path.join(root, 'node_modules', 'electron', 'electron.d.ts'));
let ok = true;
if (hasElectronTypes) ok = run(bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']) && ok;
else {
  console.log(
    'typecheck: electron/ skipped (the electron package is not installed here; install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 to get its typings)',
  );
  ok = run(bin('tsc'), ['-p', 'tsconfig.engine.json', '--noEmit']) && ok;
}
ok = run(bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human']) && ok;
process.exit(ok ? 0 : 1);
