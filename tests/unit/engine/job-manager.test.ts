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

  describe('pause', () => {
    /** A job of 20 steps with a pause point before each; `steps` counts the steps done. */
    const stepper = (jobs: JobManager, log: string[]) => {
      let steps = 0;
      const id = jobs.start({
        kind: 'train',
        label: 'T',
        run: async (ctx) => {
          for (let i = 0; i < 20; i++) {
            await ctx.pausePoint();
            await sleep(5);
            steps++;
            log.push(`t${i}`);
            ctx.progress((i + 1) / 20);
          }
          return steps;
        },
      });
      return { id, steps: () => steps };
    };
    const waitFor = async (ok: () => boolean) => {
      for (let i = 0; i < 2000 && !ok(); i++) await sleep(5);
      expect(ok()).toBe(true);
    };

    it('holds a job between steps, lets queued compute jobs run meanwhile, and resumes where it stopped', async () => {
      const events: JobEvent[] = [];
      const jobs = new JobManager((e) => events.push(e));
      const log: string[] = [];
      const t = stepper(jobs, log);
      await waitFor(() => t.steps() >= 3);
      expect(jobs.pause(t.id, true)).toBe(true);
      await waitFor(() => jobs.list().find((j) => j.id === t.id)!.paused === true);
      const held = t.steps();
      // Another compute job queued behind the paused one runs to the end while it is held.
      const other = jobs.start({ kind: 'classify', label: 'C', run: async () => (log.push('other'), 7) });
      expect(await jobs.wait(other)).toBe(7);
      await sleep(50);
      expect(t.steps()).toBe(held);
      expect(events.some((e) => e.type === 'progress' && e.jobId === t.id && e.message === 'Paused' && e.etaSeconds === null)).toBe(true);
      expect(jobs.pause(t.id, false)).toBe(false);
      expect(await jobs.wait(t.id)).toBe(20);
      // Every step ran once, in order, with the other job between two of them.
      expect(log.filter((l) => l !== 'other')).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
      expect(log.indexOf('other')).toBe(held);
    });

    it('a paused job is cancelled at once, and the lane stays with the job that took it', async () => {
      const jobs = new JobManager(() => undefined);
      const log: string[] = [];
      const t = stepper(jobs, log);
      await waitFor(() => t.steps() >= 1);
      jobs.pause(t.id, true);
      await waitFor(() => jobs.list().find((j) => j.id === t.id)!.paused === true);
      let running = 0;
      let overlap = false;
      const busy = (label: string) =>
        jobs.start({
          kind: 'x',
          label,
          run: async () => {
            running++;
            if (running > 1) overlap = true;
            await sleep(40);
            running--;
          },
        });
      const b = busy('B');
      await waitFor(() => running === 1);
      expect(jobs.cancel(t.id)).toBe(true);
      await expect(jobs.wait(t.id)).rejects.toMatchObject({ code: 'cancelled' });
      const c = busy('C');
      await jobs.wait(b);
      await jobs.wait(c);
      expect(overlap).toBe(false);
    });
  });
});
