// Turns job events into runs: parameters and inputs when queued, metrics as they arrive, items, previews at chosen
// moments, and the final status. Every job is a run except downloads (not experiments); a job whose spec carries
// `record` adds its model, parameters, seed and inputs, others are logged with their events and result only.
import type { JobEvent, JobInfo, StudioError } from '../api/contract';
import type { JobObserver, JobRunSpec } from '../jobs/job-manager';
import type { RunStore } from './store';
import { RunRecorder } from './recorder';

/** Keep a preview when at least this long passed since the last kept one (and always the last one). */
const PREVIEW_EVERY_MS = 1000;
const MAX_PREVIEWS = 200;
const UNLOGGED_KINDS = new Set(['download']);

interface Live {
  rec: RunRecorder;
  previews: number;
  lastKeptAt: number;
  unkept?: { bytes: Uint8Array; step?: number };
}

export class RunLogObserver implements JobObserver {
  private live = new Map<string, Live>();

  constructor(
    private readonly store: RunStore,
    private readonly onError: (jobId: string, e: StudioError) => void = () => {},
  ) {}

  onEvent(event: JobEvent, job: JobInfo, spec?: JobRunSpec): void {
    if (event.type === 'queued') {
      if (spec || !UNLOGGED_KINDS.has(job.kind)) this.begin(job, spec ?? { params: null });
      return;
    }
    const run = this.live.get(event.jobId);
    if (!run) return;
    const { rec } = run;
    switch (event.type) {
      case 'started':
        return rec.start(job.startedAt ?? Date.now());
      case 'metric':
        return rec.metric(event.step, event.name, event.value);
      case 'item':
        return rec.item(event.index, event.item);
      case 'preview':
        return this.preview(run, event.bytes, event.step);
      case 'done':
        return this.end(event.jobId, run, () => rec.finish('done', { result: event.result }));
      case 'failed':
        return this.end(event.jobId, run, () => rec.finish('failed', { error: event.error }));
      case 'cancelled':
        return this.end(event.jobId, run, () => rec.finish('cancelled'));
    }
  }

  /** On engine shutdown: runs still open are closed as interrupted rather than left for the next start to find. */
  closeAll(): void {
    for (const [jobId, run] of this.live) {
      this.end(jobId, run, () =>
        run.rec.finish('interrupted', { error: { code: 'interrupted', message: 'The engine shut down while this run was in progress.' } }),
      );
    }
  }

  private begin(job: JobInfo, spec: JobRunSpec): void {
    const seq = this.store.createRun({
      id: job.id,
      kind: job.kind,
      label: job.label,
      modelId: spec.modelId,
      modelSha256: spec.modelSha256,
      params: spec.params,
      seed: spec.seed,
    });
    const rec = new RunRecorder(this.store, seq, job.id, { onError: (e) => this.onError(job.id, e) });
    this.live.set(job.id, { rec, previews: 0, lastKeptAt: 0 });
    (spec.inputs ?? []).forEach((input, i) => rec.artifact('input', input.name, input.bytes, i));
  }

  private preview(run: Live, bytes: Uint8Array, step?: number): void {
    const now = Date.now();
    if (run.previews < MAX_PREVIEWS && now - run.lastKeptAt >= PREVIEW_EVERY_MS) {
      run.rec.artifact('preview', step === undefined ? 'preview' : `step ${step}`, bytes, step);
      run.previews++;
      run.lastKeptAt = now;
      run.unkept = undefined;
    } else run.unkept = { bytes, step };
  }

  private end(jobId: string, run: Live, finish: () => void): void {
    this.live.delete(jobId);
    if (run.unkept)
      run.rec.artifact('preview', run.unkept.step === undefined ? 'preview' : `step ${run.unkept.step}`, run.unkept.bytes, run.unkept.step);
    finish();
  }
}
