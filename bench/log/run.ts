// bench/log: (1) metric points logged per second through the real path (JobManager events -> RunLogObserver ->
// batched inserts), target >= 100k/s, against the naive way (one transaction per point) in the same run;
// (2) time to open a history of 10k runs (open + migrate check + mark interrupted + first page with total and
// thumbnails), target <= 100 ms, against reading all 10k summaries at once (an unpaged list).
// Run: npx tsx bench/log/run.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { JobManager } from '../../main/jobs/job-manager';
import { RunLog } from '../../main/log/run-log';
import { RunStore } from '../../main/log/store';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-bench-log-'));
const POINTS = Number(process.env.BENCH_POINTS ?? 1_000_000);
const NAIVE_POINTS = 20_000;
const RUNS = 10_000;

try {
  // (1) metrics through the observer
  const log = new RunLog(path.join(tmp, 'metrics'));
  const jobs = new JobManager(() => {});
  log.watch(jobs);
  const t0 = performance.now();
  const id = jobs.start({
    kind: 'bench',
    label: 'metrics',
    record: { params: {} },
    run: async (ctx) => {
      for (let s = 0; s < POINTS / 4; s++) {
        ctx.metric(s, 'loss', 1 / (s + 1));
        ctx.metric(s, 'content', s * 0.5);
        ctx.metric(s, 'style', s * 0.25);
        ctx.metric(s, 'tv', 0.001);
      }
    },
  });
  await jobs.wait(id);
  const ours = POINTS / ((performance.now() - t0) / 1000);
  const stored = log.runs().database.prepare('SELECT count(*) FROM metrics').pluck().get() as number;
  if (stored !== POINTS) throw new Error(`stored ${stored} of ${POINTS} points`);
  log.close();

  // The naive peer: one INSERT, one transaction (one WAL commit) per point, same schema, same pragmas.
  const naiveStore = RunStore.open(path.join(tmp, 'naive'));
  const seq = naiveStore.createRun({ id: 'naive', kind: 'bench' });
  const t1 = performance.now();
  for (let s = 0; s < NAIVE_POINTS; s++) naiveStore.addMetrics(seq, [{ step: s, name: 'loss', value: 1 / (s + 1) }]);
  const naive = NAIVE_POINTS / ((performance.now() - t1) / 1000);
  naiveStore.close();

  // (2) a history of 10k runs: each with params, 50 metric points, one thumbnail-able artifact row, a tag.
  const histDir = path.join(tmp, 'history');
  const build = RunStore.open(histDir);
  const db = build.database;
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const s = build.createRun({
        id: randomUUID(),
        kind: i % 3 ? 'classify-batch' : 'dream',
        label: `run ${i}`,
        modelId: i % 2 ? 'resnet50' : 'vgg16',
        params: { topK: 5, octaves: i % 7, lr: 0.01 },
        created: 1_700_000_000_000 + i * 1000,
      });
      build.addMetrics(
        s,
        Array.from({ length: 50 }, (_, k) => ({ step: k, name: 'loss', value: k * 0.5 })),
      );
      db.prepare(
        `INSERT INTO artifacts (run, role, name, mime, path, sha256, size, width, height, step) VALUES (?, 'input', 'a.png', 'image/png', 'ab/x', 'x', 10, 224, 224, 0)`,
      ).run(s);
      if (i % 10 === 0) db.prepare('INSERT INTO tags (run, tag) VALUES (?, ?)').run(s, 'keeper');
      build.finishRun(s, 'done', { result: { top: [{ index: 1, label: 'cat', probability: 0.9 }] } });
    }
  })();
  build.close();
  const opens: number[] = [];
  const alls: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    const t = performance.now();
    const h = new RunLog(histDir);
    const page = h.runs().list({ limit: 100 });
    opens.push(performance.now() - t);
    if (page.total !== RUNS || page.runs.length !== 100 || page.runs[0].thumbnail === null) throw new Error('bad first page');
    const t2 = performance.now();
    let all = 0;
    for (let off = 0; off < RUNS; off += 1000) all += h.runs().list({ limit: 1000, offset: off }).runs.length;
    alls.push(performance.now() - t2);
    if (all !== RUNS) throw new Error('bad full list');
    h.close();
  }
  const openMs = median(opens);
  const allMs = median(alls);

  console.log(
    `metric points logged: ${Math.round(ours).toLocaleString('en')} /s (observer, batched)  vs naive one-transaction-per-point ${Math.round(naive).toLocaleString('en')} /s  ratio ${(ours / naive).toFixed(1)}x  target >= 100,000/s: ${ours >= 100_000 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `open a history of ${RUNS.toLocaleString('en')} runs (open + first page of 100): ${openMs.toFixed(1)} ms  vs reading all ${RUNS.toLocaleString('en')} summaries ${allMs.toFixed(1)} ms  ratio ${(allMs / openMs).toFixed(1)}x  target <= 100 ms: ${openMs <= 100 ? 'MET' : 'MISSED'}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
