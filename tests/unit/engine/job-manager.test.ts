import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../main/api/contract';
import { JobManager } from '../../../main/jobs/job-manager';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobManager', () => {
  it('runs compute jobs one at a time, in order, and reports done with the result', async () => {
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e));
    const order: string[] = [];
    const a = jobs.start({
      kind: 't',
      label: 'A',
      run: async () => {
        order.push('a+');
        await sleep(30);
        order.push('a-');
        return 1;
      },
    });
    const b = jobs.start({
      kind: 't',
      label: 'B',
      run: async () => {
        order.push('b+');
        await sleep(5);
        order.push('b-');
        return 2;
      },
    });
    expect(await jobs.wait(b)).toBe(2);
    expect(await jobs.wait(a)).toBe(1);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
    expect(events.filter((e) => e.type === 'done').map((e) => (e as { result: unknown }).result)).toEqual([1, 2]);
  });

  it('io jobs run beside a compute job', async () => {
    const jobs = new JobManager(() => {});
    let ioRan = false;
    const slow = jobs.start({
      kind: 't',
      label: 'slow',
      run: async () => {
        await sleep(50);
        return ioRan;
      },
    });
    jobs.start({
      kind: 'download',
      label: 'io',
      lane: 'io',
      run: async () => {
        ioRan = true;
      },
    });
    expect(await jobs.wait(slow)).toBe(true);
  });

  it('cancel stops a running job at its next step and settles a queued one at once', async () => {
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e));
    let steps = 0;
    const running = jobs.start({
      kind: 't',
      label: 'loop',
      run: async (ctx) => {
        for (;;) {
          ctx.throwIfCancelled();
          steps++;
          await sleep(5);
        }
      },
    });
    const queued = jobs.start({ kind: 't', label: 'queued', run: async () => 'never' });
    await sleep(30);
    expect(jobs.cancel(queued)).toBe(true);
    await expect(jobs.wait(queued)).rejects.toMatchObject({ code: 'cancelled' });
    const before = steps;
    jobs.cancel(running);
    await expect(jobs.wait(running)).rejects.toMatchObject({ code: 'cancelled' });
    expect(steps - before).toBeLessThanOrEqual(1);
    expect(events.filter((e) => e.type === 'cancelled').length).toBe(2);
    expect(jobs.list().every((j) => j.state === 'cancelled')).toBe(true);
  });

  it('a failing job reports a coded error and the next job still runs', async () => {
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e));
    const bad = jobs.start({
      kind: 't',
      label: 'bad',
      run: async () => {
        throw new Error('boom');
      },
    });
    const good = jobs.start({ kind: 't', label: 'good', run: async () => 'ok' });
    await expect(jobs.wait(bad)).rejects.toMatchObject({ code: 'internal', message: 'boom' });
    expect(await jobs.wait(good)).toBe('ok');
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ error: { code: 'internal', message: 'boom' } });
  });

  it('throttles progress to ~10 Hz but always delivers the final fraction, with an ETA', async () => {
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e));
    const id = jobs.start({
      kind: 't',
      label: 'p',
      run: async (ctx) => {
        for (let i = 1; i <= 400; i++) {
          ctx.progress(i / 400);
          if (i % 100 === 0) await sleep(110);
        }
      },
    });
    const t0 = performance.now();
    await jobs.wait(id);
    const seconds = (performance.now() - t0) / 1000;
    const progress = events.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');
    // 400 calls in ~0.45 s: at most one event per 100 ms of the run's real duration (plus the first and the
    // last), so a slow machine that stretches the run is not mistaken for a broken throttle.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    expect(progress.length).toBeLessThan(400 / 10);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.some((p) => p.etaSeconds !== null && p.etaSeconds > 0)).toBe(true);
  });
});
