// The run log watching a real JobManager: params at queue time, metrics in batches, previews thinned, outputs as
// artifacts, failed/cancelled states, and jobs without a record spec ignored.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobManager } from '../../../main/jobs/job-manager';
import { RunLog } from '../../../main/log/run-log';
import { makeTempHome } from '../../helpers/temp-home';

let home: ReturnType<typeof makeTempHome>;
let log: RunLog;
let jobs: JobManager;
beforeEach(() => {
  home = makeTempHome('vs-obs-');
  log = new RunLog(home.dir);
  jobs = new JobManager(() => {});
  log.watch(jobs);
});
afterEach(() => {
  log.close();
  home.cleanup();
});

const png = (r: number) =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: { r, g: 0, b: 0 } } })
    .png()
    .toBuffer()
    .then((x) => new Uint8Array(x));

describe('RunLogObserver', () => {
  it('records a job from queue to done: params, inputs, metrics, previews, items, outputs', async () => {
    const input = await png(1);
    const frames = await Promise.all([png(2), png(3), png(4)]);
    const id = jobs.start({
      kind: 'dream',
      label: 'Dream',
      record: { modelId: 'vgg', params: { steps: 5000 }, seed: 9, inputs: [{ name: 'in.png', bytes: input }] },
      run: async (ctx) => {
        for (let s = 0; s < 5000; s++) ctx.metric(s, 'loss', 1 / (s + 1));
        frames.forEach((f, i) => ctx.preview('image/png', f, i)); // within 1 s: only the first and the last are kept
        ctx.item(0, { ok: true });
        return { image: frames[2], note: 'done' };
      },
    });
    await jobs.wait(id);
    const run = log.runs().get(id);
    expect(run).toMatchObject({
      kind: 'dream',
      status: 'done',
      modelId: 'vgg',
      seed: 9,
      params: { steps: 5000 },
      items: [{ index: 0, data: { ok: true } }],
    });
    expect(run.metrics).toHaveLength(1);
    expect(run.metrics[0].values).toHaveLength(5000);
    expect(run.metrics[0].values[4999]).toBeCloseTo(1 / 5000);
    expect(run.artifacts.map((a) => [a.role, a.step])).toEqual([
      ['input', 0],
      ['preview', 0],
      ['preview', 2],
      ['output', null],
    ]);
    const out = run.artifacts.find((a) => a.role === 'output')!;
    expect(run.result).toEqual({ image: { artifact: out.id }, note: 'done' });
    expect(run.thumbnail).toBe(out.id);
  });

  it('records failures and cancellations, logs jobs without a record spec, and ignores downloads', async () => {
    const failing = jobs.start({
      kind: 'k',
      label: 'f',
      record: { params: {} },
      run: async () => {
        throw new Error('boom');
      },
    });
    await expect(jobs.wait(failing)).rejects.toThrow('boom');
    expect(log.runs().get(failing)).toMatchObject({ status: 'failed', error: { code: 'internal', message: 'boom' } });

    const slow = jobs.start({
      kind: 'k',
      label: 's',
      record: { params: {} },
      run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('x')))),
    });
    const queued = jobs.start({ kind: 'k', label: 'q', record: { params: {} }, run: async () => 1 });
    expect(log.runs().get(queued).status).toBe('queued');
    jobs.cancel(queued);
    jobs.cancel(slow);
    await expect(jobs.wait(slow)).rejects.toThrow();
    await expect(jobs.wait(queued)).rejects.toThrow();
    expect(log.runs().get(slow).status).toBe('cancelled');
    expect(log.runs().get(queued).status).toBe('cancelled');

    const plain = jobs.start({ kind: 'explain-cam', label: 'cam', run: async () => ({ png: new Uint8Array([1, 2, 3]) }) });
    await jobs.wait(plain);
    expect(log.runs().get(plain)).toMatchObject({
      kind: 'explain-cam',
      status: 'done',
      params: null,
      artifacts: [{ role: 'output', name: 'result.png' }],
    });
    const download = jobs.start({ kind: 'download', label: 'd', lane: 'io', run: async () => 1 });
    await jobs.wait(download);
    expect(() => log.runs().get(download)).toThrow(/No run/);
  });

  it('closes runs still open at shutdown as interrupted', async () => {
    const id = jobs.start({ kind: 'k', label: 'forever', record: { params: {} }, run: () => new Promise(() => {}) });
    await new Promise((r) => setTimeout(r, 10));
    log.close();
    const again = new RunLog(home.dir);
    try {
      expect(again.runs().get(id)).toMatchObject({ status: 'interrupted' });
    } finally {
      again.close();
    }
  });

  it('keeps working without a log: begin() returns null and runs.* say why', () => {
    fs.writeFileSync(path.join(home.dir, 'a-file'), '');
    const broken = new RunLog(path.join(home.dir, 'a-file', 'log')); // a folder inside a file: cannot be created
    expect(broken.begin({ kind: 'k', label: 'x', params: {} })).toBeNull();
    expect(() => broken.runs()).toThrow(/Run log|could not open/);
  });
});

describe('RunLog.record (work outside the job manager, e.g. CLI commands)', () => {
  it('logs the result with its images as outputs, and a failure as failed', async () => {
    const img = await png(9);
    const out = await log.record(
      { kind: 'explain-cam', label: 'cam of x.png', modelId: 'm', params: { method: 'gradcam' }, inputs: [{ name: 'x.png', bytes: img }] },
      async (run) => {
        run?.metric(0, 'score', 0.5);
        return { png: img, top: 1 };
      },
    );
    expect(out.top).toBe(1);
    const { runs } = log.runs().list({ kind: 'explain-cam' });
    const run = log.runs().get(runs[0].id);
    expect(run).toMatchObject({ status: 'done', params: { method: 'gradcam' }, metrics: [{ name: 'score', values: [0.5] }] });
    expect(run.artifacts.map((a) => a.role)).toEqual(['input', 'output']);
    await expect(
      log.record({ kind: 'create-dream', label: 'd', params: {} }, async () => Promise.reject(new Error('nope'))),
    ).rejects.toThrow('nope');
    expect(log.runs().list({ kind: 'create-dream' }).runs[0]).toMatchObject({ status: 'failed', error: { message: 'nope' } });
  });
});
