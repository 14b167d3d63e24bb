// The page can never be flooded by a fast job: what a client gets from a job stepping every millisecond is
// ~10 batches a second, previews wait for the page to take the last one, and nothing is lost before `done`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobEvent } from '../../../main/api/contract';
import { ClientOutbox } from '../../../main/jobs/client-outbox';

const preview = (step: number): JobEvent => ({ type: 'preview', jobId: 'j', mime: 'image/png', bytes: new Uint8Array([step]), step });

describe('client outbox', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  /** A job that steps every ms for `ms`: a metric, a progress event and a preview per step. */
  function fastJob(box: ClientOutbox, ms: number, onStep?: (i: number) => void): void {
    for (let i = 1; i <= ms; i++) {
      box.push({ type: 'metric', jobId: 'j', step: i, name: 'loss', value: 1 / i });
      box.push({ type: 'progress', jobId: 'j', fraction: i / ms, etaSeconds: null });
      box.push(preview(i));
      onStep?.(i);
      vi.advanceTimersByTime(1);
    }
  }

  it('sends about 10 batches a second and every metric, in order, before done', () => {
    const out: JobEvent[] = [];
    const box = new ClientOutbox((e) => out.push(e), { now: () => Date.now() });
    fastJob(box, 1000, () => box.ack('j'));
    box.push({ type: 'done', jobId: 'j', result: null });
    const batches = out.filter((e) => e.type === 'metrics');
    expect(batches.length).toBeGreaterThanOrEqual(9);
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(out.filter((e) => e.type === 'progress').length).toBeLessThanOrEqual(12);
    const steps = batches.flatMap((b) => (b.type === 'metrics' ? b.points.map((p) => p.step) : []));
    expect(steps).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(out.at(-1)?.type).toBe('done');
    // The latest preview wins: the last one sent is the newest step, not a stale one.
    const previews = out.filter((e) => e.type === 'preview');
    expect(previews.length).toBeLessThanOrEqual(12);
    expect(previews.at(-1)).toMatchObject({ step: 1000 });
  });

  it('holds a new preview until the page took the last one (or a second passed)', () => {
    const out: JobEvent[] = [];
    const box = new ClientOutbox((e) => out.push(e), { now: () => Date.now(), ackTimeoutMs: 1000 });
    fastJob(box, 500); // no ack: one preview at once, the next only after the 1 s wait
    expect(out.filter((e) => e.type === 'preview').length).toBe(1);
    vi.advanceTimersByTime(600);
    expect(out.filter((e) => e.type === 'preview').length).toBe(2);
    box.push(preview(501));
    box.ack('j');
    vi.advanceTimersByTime(100);
    expect(out.filter((e) => e.type === 'preview').at(-1)).toMatchObject({ step: 501 });
  });

  it('passes a cancel at once, after what was pending', () => {
    const out: JobEvent[] = [];
    const box = new ClientOutbox((e) => out.push(e), { now: () => Date.now() });
    box.push({ type: 'metric', jobId: 'j', step: 1, name: 'loss', value: 1 });
    box.push({ type: 'metric', jobId: 'j', step: 2, name: 'loss', value: 1 });
    box.push({ type: 'cancelled', jobId: 'j' });
    expect(out.flatMap((e) => (e.type === 'metrics' ? e.points.map((p) => p.step) : []))).toEqual([1, 2]);
    expect(out.at(-1)?.type).toBe('cancelled');
    const n = out.length;
    vi.advanceTimersByTime(5000);
    expect(out.length).toBe(n); // no timer fires for a finished job
  });
});
