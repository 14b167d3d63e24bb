#!/usr/bin/env node
// End-to-end tests in real Chromium against browser mode. Builds nothing: run `npm run build` first.
// Starts `vision-studio serve --port 0` with a throwaway VISION_STUDIO_HOME, then runs tests/e2e/*.e2e.ts
// with node:test (through tsx). Screenshots land in test-results/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shared = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(root, '..', 'shared', 'models');
const chromium = process.env.VISION_STUDIO_CHROMIUM ?? '/usr/bin/chromium';

if (!fs.existsSync(path.join(shared, 'README.md'))) {
  // Skipping would let a machine without the models pass without one end-to-end test: only an explicit opt-out
  // (never on CI) turns the failure into a skip, and the line says which variable did it.
  const optOut = process.env.VISION_STUDIO_ALLOW_MISSING_MODELS === '1' && !process.env.CI;
  console.log(
    optOut
      ? `e2e skipped: ../shared/models not found at ${shared} (VISION_STUDIO_ALLOW_MISSING_MODELS=1 is set)`
      : `e2e FAILED: ../shared/models not found at ${shared}: put the shared models there or set VISION_STUDIO_SHARED_MODELS` +
          (process.env.CI ? '' : ' (or VISION_STUDIO_ALLOW_MISSING_MODELS=1 to skip the end-to-end tests)'),
  );
  process.exit(optOut ? 0 : 1);
}
for (const [file, why] of [
  [path.join(root, 'out', 'main', 'cli.js'), 'the engine is not built: run `npm run build` first'],
  [path.join(root, 'out', 'renderer', 'index.html'), 'the renderer is not built: run `npm run build` first'],
  [chromium, `Chromium not found at ${chromium}: apt-get install -y chromium (or set VISION_STUDIO_CHROMIUM)`],
]) {
  if (!fs.existsSync(file)) {
    console.error(`e2e: ${why}`);
    process.exit(1);
  }
}

const only = process.argv.slice(2);
const files = fs
  .readdirSync(path.join(root, 'tests', 'e2e'))
  .filter((f) => f.endsWith('.e2e.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .map((f) => path.join('tests', 'e2e', f));

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-e2e-'));
const server = spawn(process.execPath, [path.join(root, 'bin', 'vision-studio.js'), 'serve', '--port', '0'], {
  cwd: root,
  env: {
    ...process.env,
    VISION_STUDIO_HOME: home,
    // The server finds ../shared/models by itself; a folder elsewhere is handed to it as an extra model folder.
    ...(shared !== path.resolve(root, '..', 'shared', 'models')
      ? { VISION_STUDIO_MODEL_DIRS: [process.env.VISION_STUDIO_MODEL_DIRS, shared].filter(Boolean).join(path.delimiter) }
      : {}),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
const cleanup = () => {
  server.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
};
process.on('SIGINT', () => (cleanup(), process.exit(130)));

const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the server printed no URL within 60 s')), 60_000);
  const onData = (chunk) => {
    serverLog += chunk;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(serverLog);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => reject(new Error(`the server exited (${code}) before printing its URL:\n${serverLog}`)));
}).catch((e) => {
  console.error(`e2e: ${e.message}`);
  cleanup();
  process.exit(1);
});

const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
    cwd: root,
    env: { ...process.env, VS_E2E_URL: url, VS_E2E_SHOTS: path.join(root, 'test-results') },
    stdio: 'inherit',
  });
  child.on('exit', (c) => resolve(c ?? 1));
});
cleanup();
if (code !== 0 && serverLog.trim()) console.error(`--- server output ---\n${serverLog.slice(-4000)}`);
process.exit(code);
