// ESLint (architecture rules included: no electron in main/, no Node in renderer/) and Prettier.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const eslint = spawnSync(bin('eslint'), ['.'], { cwd: root, stdio: 'inherit' }).status === 0;
const prettier = spawnSync(bin('prettier'), ['--check', '--log-level', 'warn', '.'], { cwd: root, stdio: 'inherit' }).status === 0;
process.exit(eslint && prettier ? 0 : 1);
