// What a job tells a client (the page behind Electron or the browser-mode server) is coalesced here, so a
// job that steps every few milliseconds can never flood the page: progress and previews are latest-wins at
// most ~10 per second, metrics go out in batches, and a new preview waits until the page has taken the last
// one (`jobs.previewTaken`), or `ackTimeoutMs` for a page that never says. Terminal events flush what is
// pending first, so a client sees every metric before `done`. In-process listeners (CLI, tests, the run log)
// see the raw events; only the cross-process path goes through here.
import type { JobEvent } from '../api/contract';

type Metric = { step: number; name: string; value: number };

interface Pending {
  progress?: JobEvent & { type: 'progress' };
  preview?: JobEvent & { type: 'preview' };
  metrics: Metric[];
  lastFlush: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** When the last preview went out; null once the page took it. */
  previewOut: number | null;
}

export interface OutboxOptions {
  intervalMs?: number;
  ackTimeoutMs?: number;
  now?: () => number;
}

export class ClientOutbox {
  private readonly jobs = new Map<string, Pending>();
  private readonly interval: number;
  private readonly ackTimeout: number;
  private readonly now: () => number;

  constructor(
    private readonly send: (e: JobEvent) => void,
    opts: OutboxOptions = {},
  ) {
    this.interval = opts.intervalMs ?? 100;
    this.ackTimeout = opts.ackTimeoutMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  push(e: JobEvent): void {
    switch (e.type) {
      case 'progress':
        this.pending(e.jobId).progress = e;
        return this.schedule(e.jobId);
      case 'preview':
        this.pending(e.jobId).preview = e;
        return this.schedule(e.jobId);
      case 'metric':
        this.pending(e.jobId).metrics.push({ step: e.step, name: e.name, value: e.value });
        return this.schedule(e.jobId);
      case 'done':
      case 'failed':
      case 'cancelled':
        this.flush(e.jobId, true);
        this.forget(e.jobId);
        return this.send(e);
      default:
        // queued, started, items and log lines pass at once (items must all arrive, in order).
        this.flush(e.jobId, false);
        return this.send(e);
    }
  }

  /** The page has drawn the last preview of this job: the next one may go. */
  ack(jobId: string): void {
    const p = this.jobs.get(jobId);
    if (!p) return;
    p.previewOut = null;
    if (!p.preview) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    this.schedule(jobId);
  }

  dispose(): void {
    for (const id of [...this.jobs.keys()]) this.forget(id);
  }

  private pending(jobId: string): Pending {
    let p = this.jobs.get(jobId);
    if (!p) this.jobs.set(jobId, (p = { metrics: [], lastFlush: -Infinity, timer: null, previewOut: null }));
    return p;
  }

  private schedule(jobId: string): void {
    const p = this.pending(jobId);
    if (p.timer) return;
    const wait = Math.max(0, p.lastFlush + this.interval - this.now());
    if (wait === 0) return this.flush(jobId, false);
    p.timer = setTimeout(() => {
      p.timer = null;
      this.flush(jobId, false);
    }, wait);
  }

  private flush(jobId: string, final: boolean): void {
    const p = this.jobs.get(jobId);
    if (!p) return;
    const now = this.now();
    p.lastFlush = now;
    if (p.metrics.length) {
      this.send({ type: 'metrics', jobId, points: p.metrics });
      p.metrics = [];
    }
    if (p.progress) this.send(p.progress);
    p.progress = undefined;
    const pageFree = p.previewOut === null || now - p.previewOut >= this.ackTimeout;
    if (p.preview && (pageFree || final)) {
      this.send(p.preview);
      p.preview = undefined;
      p.previewOut = now;
    }
    // A preview held back for the page's ack is retried when the ack comes or the wait runs out.
    if (p.preview && !p.timer && !final) {
      p.timer = setTimeout(
        () => {
          p.timer = null;
          this.flush(jobId, false);
        },
        Math.max(this.interval, (p.previewOut ?? now) + this.ackTimeout - now),
      );
    }
  }

  private forget(jobId: string): void {
    const p = this.jobs.get(jobId);
    if (p?.timer) clearTimeout(p.timer);
    this.jobs.delete(jobId);
  }
}
