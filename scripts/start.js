// npm start: build when the sources changed, then open the desktop window; where Electron cannot run
// (not installed, no display), say so in one line and serve the studio in browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stamp = path.join(root, 'out', '.build-stamp');
  const sources = Math.max(...['main', 'electron', 'renderer', 'resources'].map((d) => newestMtime(path.join(root, d))));
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= sources) return;
  console.log('Building Vision Studio...');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  // Without its path.txt the package has no binary, and requiring it would try a download (and print a stack):
  // the type check unpacks Electron's package for its typings only.
  if (!fs.existsSync(path.join(root, 'node_modules', 'electron', 'path.txt')))
    return { ok: false, why: 'the Electron binary is not installed (its download needs internet access to GitHub)' };
  try {
    const bin = require('electron');
    if (typeof bin !== 'string' || !fs.existsSync(bin)) return { ok: false, why: 'the Electron binary is not installed' };
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
      return { ok: false, why: 'there is no display' };
    return { ok: true, bin };
  } catch {
    return { ok: false, why: 'the Electron binary is not installed (its download needs internet access to GitHub)' };
  }
}

ensureBuilt();
const electron = process.env.VISION_STUDIO_BROWSER ? { ok: false, why: 'VISION_STUDIO_BROWSER is set' } : electronBinary();
const child = electron.ok
  ? spawn(electron.bin, [root], { stdio: 'inherit' })
  : (console.log(`Electron cannot run here (${electron.why}): serving the studio in browser mode instead.`),
    spawn(process.execPath, [path.join(root, 'bin', 'vision-studio.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
