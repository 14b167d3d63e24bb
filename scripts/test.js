// npm test: build once, then every suite: Vitest (unit + integration on real ORT, sharp, SQLite and the
// shared models), Playwright end-to-end in Debian Chromium against browser mode, type checks and lint.
// Every step runs even when an earlier one failed, so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// One line, before anything builds, when the real models are missing (tests/helpers/shared-models.ts says why).
const shared = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(root, '..', 'shared', 'models');
const optOut = process.env.VISION_STUDIO_ALLOW_MISSING_MODELS === '1' && !process.env.CI;
if (!fs.existsSync(path.join(shared, 'README.md'))) {
  if (!optOut) {
    console.error(
      `npm test: ../shared/models not found at ${shared}: put the shared models there or set VISION_STUDIO_SHARED_MODELS` +
        (process.env.CI ? '' : ' (or VISION_STUDIO_ALLOW_MISSING_MODELS=1 to run without them, skipping the tests that need them)'),
    );
    process.exit(1);
  }
  console.log(`npm test: running WITHOUT ../shared/models (VISION_STUDIO_ALLOW_MISSING_MODELS=1): the tests that need them skip`);
}

// Vitest writes a JSON report beside its console output, so the end of the log names every failed test (a
// CI log is often read from its tail). Files named *.alone.test.ts measure time on real runs: they run after
// the rest, one file at a time, so the suite's other workers are not the load they measure.
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-test-'));
const vitest = (name, args) => [
  name,
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(reports, `${name.replace(/\W+/g, '-')}.json`)}`, ...args],
];
const steps = [
  ['build', node, ['scripts/build.js']],
  vitest('unit + integration', ['--exclude', '**/*.alone.test.ts']),
  vitest('timed, one file at a time', ['--maxWorkers=1', '.alone.test.ts']),
  ['end-to-end', node, ['scripts/e2e.js']],
  ['typecheck', node, ['scripts/typecheck.js']],
  ['lint', node, ['scripts/lint.js']],
];

const failed = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) {
    failed.push(name);
    if (name === 'build') break; // nothing else can run without a build
  }
}
for (const name of failed) {
  const file = path.join(reports, `${name.replace(/\W+/g, '-')}.json`);
  if (!fs.existsSync(file)) continue;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const suite of report.testResults) {
    const where = path.relative(root, suite.name);
    const bad = suite.assertionResults.filter((t) => t.status === 'failed');
    if (!bad.length && suite.status === 'failed') console.log(`\nFAILED ${where}: ${(suite.message || '').split('\n')[0]}`);
    for (const t of bad)
      console.log(`\nFAILED ${where} > ${t.fullName}\n  ${(t.failureMessages[0] || '').split('\n').slice(0, 4).join('\n  ')}`);
  }
}
fs.rmSync(reports, { recursive: true, force: true });
if (failed.length) console.log(`\nnpm test: failed: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
