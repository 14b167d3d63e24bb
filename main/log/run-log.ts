// The engine's handle on the experiment log: opens the store once per engine, marks runs a dead engine left open
// as interrupted, purges week-old deletions, watches the job manager, and starts runs for work that is not a job
// (classify.image, the CLI). If the log cannot be opened, the studio still works: `runs.*` report why.
import { randomUUID } from 'node:crypto';
import type { StudioError } from '../api/contract';
import type { JobManager, JobRunSpec } from '../jobs/job-manager';
import { logDir } from '../paths';
import { toLogError } from './errors';
import { RunLogObserver } from './observer';
import { RunRecorder } from './recorder';
import { RunStore } from './store';

const PURGE_AFTER_MS = 7 * 24 * 3600 * 1000;

export interface BeginRun extends JobRunSpec {
  kind: string;
  label: string;
}

export class RunLog {
  private store: RunStore | null = null;
  private observer: RunLogObserver | null = null;
  readonly openError: StudioError | null = null;

  constructor(readonly dir = logDir()) {
    try {
      this.store = RunStore.open(dir);
      this.store.markInterrupted();
      this.store.purgeDeleted(Date.now() - PURGE_AFTER_MS);
    } catch (e) {
      this.store?.close();
      this.store = null;
      this.openError = toLogError(e, 'open the run log');
    }
  }

  /** The store, or the reason it could not be opened. */
  runs(): RunStore {
    if (!this.store) throw this.openError!;
    return this.store;
  }

  /** Logs every job that carries a `record` spec. */
  watch(jobs: JobManager, onError?: (jobId: string, e: StudioError) => void): void {
    if (!this.store || this.observer) return;
    this.observer = new RunLogObserver(this.store, onError);
    jobs.observe(this.observer);
  }

  /** A run for work that is not a job; null when the log is unavailable (the work goes on unlogged). */
  begin(spec: BeginRun): RunRecorder | null {
    if (!this.store) return null;
    const id = randomUUID();
    const seq = this.store.createRun({
      id,
      kind: spec.kind,
      label: spec.label,
      status: 'running',
      modelId: spec.modelId,
      modelSha256: spec.modelSha256,
      params: spec.params,
      seed: spec.seed,
    });
    const rec = new RunRecorder(this.store, seq, id);
    (spec.inputs ?? []).forEach((input, i) => rec.artifact('input', input.name, input.bytes, i));
    return rec;
  }

  /**
   * Runs `work` as one logged run (for CLI commands and other work outside the job manager): the result is stored
   * (images in it become output artifacts), an error marks the run failed and is rethrown. Logging failures never
   * fail the work; they go to `onLogError` (the CLI prints them once).
   */
  async record<T>(
    spec: BeginRun,
    work: (run: RunRecorder | null) => Promise<T>,
    onLogError: (e: StudioError) => void = () => {},
  ): Promise<T> {
    const safe = <R>(fn: () => R): R | null => {
      try {
        return fn();
      } catch (e) {
        onLogError(toLogError(e, 'record the run'));
        return null;
      }
    };
    const run = safe(() => this.begin(spec));
    try {
      const result = await work(run);
      safe(() => run?.finish('done', { result }));
      return result;
    } catch (e) {
      const error =
        e instanceof Error
          ? { code: (e as { code?: string }).code ?? 'internal', message: e.message }
          : { code: 'internal', message: String(e) };
      safe(() => run?.finish(error.code === 'cancelled' ? 'cancelled' : 'failed', { error }));
      throw e;
    }
  }

  close(): void {
    try {
      this.observer?.closeAll();
    } finally {
      this.store?.close();
      this.store = null;
    }
  }
}
