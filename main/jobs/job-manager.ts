// Everything slow is a job: queued, run, reported (progress with ETA, previews, metrics, items), cancellable.
// Compute jobs run one at a time (they saturate the CPU); I/O jobs (downloads) run beside them.
import { randomUUID } from 'node:crypto';
import { StudioError, type JobEvent, type JobInfo } from '../api/contract';
import { ProgressThrottle } from './progress-throttle';

export type Lane = 'compute' | 'io';

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** fraction in [0, 1]; throttled to ~10 Hz, the ETA is derived from elapsed time. */
  progress(fraction: number, message?: string): void;
  preview(mime: string, bytes: Uint8Array, step?: number): void;
  metric(step: number, name: string, value: number): void;
  item(index: number, item: unknown): void;
  log(message: string): void;
  /** Throws a 'cancelled' StudioError once cancel() was called: call it between steps. */
  throwIfCancelled(): void;
  /**
   * A point between steps where the job may be held by jobs.pause: resolves at once when not paused, else when
   * resumed; throws 'cancelled' when cancelled while paused. Jobs that call it offer pause (training does).
   */
  pausePoint(): Promise<void>;
}

/** What the experiment log records about a job besides its events (model, parameters, seed, inputs). */
export interface JobRunSpec {
  modelId?: string;
  modelSha256?: string;
  params: unknown;
  seed?: number;
  inputs?: { name: string; bytes: Uint8Array }[];
}

export interface JobSpec<T> {
  kind: string;
  label: string;
  lane?: Lane;
  run: (ctx: JobContext) => Promise<T>;
  /** Log this job as a run (named `record`, as `run` is the job's body). */
  record?: JobRunSpec;
}

/** Observers see every job's lifecycle; the experiment log plugs in here. */
export interface JobObserver {
  onEvent(event: JobEvent, job: JobInfo, run?: JobRunSpec): void;
}

interface JobRecord {
  info: JobInfo;
  spec: JobSpec<unknown>;
  controller: AbortController;
  done: Promise<unknown>;
  launch?: () => Promise<void>;
  /** Set while paused: calling it lets the job go on. */
  resume?: () => void;
  wantPause?: boolean;
}

export class JobManager {
  private jobs = new Map<string, JobRecord>();
  private computeQueue: JobRecord[] = [];
  /** The compute job holding the lane (one at a time); a paused job gives it up until resumed. */
  private computeOwner: JobRecord | null = null;
  /** Resumed jobs waiting to take the lane back: they go before queued jobs. */
  private resumers: { record: JobRecord; go: () => void }[] = [];
  private observers = new Set<JobObserver>();

  constructor(private readonly emit: (event: JobEvent) => void) {}

  observe(observer: JobObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Queues a job and returns its id at once; `wait(id)` resolves with its result. */
  start<T>(spec: JobSpec<T>): string {
    const id = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = { id, kind: spec.kind, label: spec.label, state: 'queued', fraction: 0, etaSeconds: null, startedAt: null };
    let resolveDone!: (v: unknown) => void;
    const done = new Promise<unknown>((resolve) => (resolveDone = resolve));
    const record: JobRecord = { info, spec: spec as JobSpec<unknown>, controller, done };
    this.jobs.set(id, record);
    this.send({ type: 'queued', jobId: id, kind: spec.kind, label: spec.label }, info);
    const launch = (): Promise<void> => this.execute(record).then(resolveDone);
    if ((spec.lane ?? 'compute') === 'io') void launch();
    else {
      record.launch = launch;
      this.computeQueue.push(record);
      this.pump();
    }
    return id;
  }

  /** Resolves with the job's result, or rejects with its error (StudioError 'cancelled' when cancelled). */
  async wait<T>(id: string): Promise<T> {
    const record = this.jobs.get(id);
    if (!record) throw new StudioError('not_found', `No job ${id}.`);
    const outcome = (await record.done) as { ok: boolean; value?: unknown; error?: StudioError };
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  }

  cancel(id: string): boolean {
    const record = this.jobs.get(id);
    if (!record || record.info.state === 'done' || record.info.state === 'failed' || record.info.state === 'cancelled') return false;
    record.controller.abort();
    // A job still waiting in the queue is settled at once rather than when its turn comes.
    if (record.info.state === 'queued' && record.launch && this.computeQueue.includes(record)) {
      this.computeQueue = this.computeQueue.filter((r) => r !== record);
      void record.launch();
    }
    return true;
  }

  /**
   * Holds a running job at its next pause point, or lets it go on. Returns whether it is (to be) paused; false
   * for jobs that are not running.
   */
  pause(id: string, paused: boolean): boolean {
    const record = this.jobs.get(id);
    if (!record || (record.info.state !== 'running' && record.info.state !== 'queued')) return false;
    record.wantPause = paused;
    if (!paused) record.resume?.();
    return paused;
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((r) => ({ ...r.info }));
  }

  private pump(): void {
    if (this.computeOwner) return;
    const resumed = this.resumers.shift();
    if (resumed) {
      this.computeOwner = resumed.record;
      resumed.go();
      return;
    }
    const next = this.computeQueue.shift();
    if (!next) return;
    this.computeOwner = next;
    void next.launch!().finally(() => {
      if (this.computeOwner === next) this.computeOwner = null;
      this.pump();
    });
  }

  /** Pause: give the compute lane to the next job, wait for resume (or cancel), then take the lane back. */
  private async hold(record: JobRecord): Promise<void> {
    const lane = this.computeOwner === record;
    if (lane) {
      this.computeOwner = null;
      this.pump();
    }
    const { signal } = record.controller;
    await new Promise<void>((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', go);
        record.resume = undefined;
        resolve();
      };
      record.resume = go;
      signal.addEventListener('abort', go);
    });
    if (!lane || signal.aborted) return;
    await new Promise<void>((go) => {
      this.resumers.push({ record, go });
      this.pump();
    });
  }

  private async execute(record: JobRecord): Promise<{ ok: boolean; value?: unknown; error?: StudioError }> {
    const { info, controller } = record;
    const id = info.id;
    if (controller.signal.aborted) return this.finishCancelled(record);
    info.state = 'running';
    info.startedAt = Date.now();
    this.send({ type: 'started', jobId: id }, info);
    const throttle = new ProgressThrottle(info.startedAt);
    const ctx: JobContext = {
      jobId: id,
      signal: controller.signal,
      progress: (fraction, message) => {
        const f = Math.min(1, Math.max(0, fraction));
        info.fraction = f;
        info.etaSeconds = throttle.eta(f);
        if (throttle.shouldEmit(f)) this.send({ type: 'progress', jobId: id, fraction: f, etaSeconds: info.etaSeconds, message }, info);
      },
      preview: (mime, bytes, step) => this.send({ type: 'preview', jobId: id, mime, bytes, step }, info),
      metric: (step, name, value) => this.send({ type: 'metric', jobId: id, step, name, value }, info),
      item: (index, item) => this.send({ type: 'item', jobId: id, index, item }, info),
      log: (message) => this.send({ type: 'log', jobId: id, message }, info),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new StudioError('cancelled', `${info.label} was cancelled.`);
      },
      pausePoint: async () => {
        ctx.throwIfCancelled();
        if (!record.wantPause) return;
        const t0 = Date.now();
        info.paused = true;
        this.send({ type: 'progress', jobId: id, fraction: info.fraction, etaSeconds: null, message: 'Paused' }, info);
        await this.hold(record);
        info.paused = false;
        throttle.skip(Date.now() - t0);
        ctx.throwIfCancelled();
        info.etaSeconds = throttle.eta(info.fraction);
        this.send({ type: 'progress', jobId: id, fraction: info.fraction, etaSeconds: info.etaSeconds, message: 'Resumed' }, info);
      },
    };
    try {
      const value = await record.spec.run(ctx);
      if (controller.signal.aborted) return this.finishCancelled(record);
      info.state = 'done';
      info.fraction = 1;
      info.etaSeconds = 0;
      this.send({ type: 'done', jobId: id, result: value }, info);
      return { ok: true, value };
    } catch (e) {
      if (controller.signal.aborted || (e instanceof StudioError && e.code === 'cancelled')) return this.finishCancelled(record);
      const error = e instanceof StudioError ? e : new StudioError('internal', e instanceof Error ? e.message : String(e));
      info.state = 'failed';
      this.send({ type: 'failed', jobId: id, error: error.toWire() }, info);
      return { ok: false, error };
    }
  }

  private finishCancelled(record: JobRecord): { ok: false; error: StudioError } {
    record.info.state = 'cancelled';
    this.computeQueue = this.computeQueue.filter((r) => r !== record);
    this.send({ type: 'cancelled', jobId: record.info.id }, record.info);
    return { ok: false, error: new StudioError('cancelled', `${record.info.label} was cancelled.`) };
  }

  private send(event: JobEvent, info: JobInfo): void {
    // Observers first: the run log commits a job's end before anyone is told it ended, so a process killed
    // between the two never leaves a client that saw "done" with a history that says "interrupted".
    const record = this.jobs.get(info.id)?.spec.record;
    for (const o of this.observers) {
      try {
        o.onEvent(event, info, record);
      } catch (e) {
        // An observer (e.g. the run log on a full disk) must never take a job down with it.
        this.emit({ type: 'log', jobId: info.id, message: `observer failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    this.emit(event);
  }
}
