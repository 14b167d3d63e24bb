// One engine job followed from the page: start, progress with ETA, previews and metric batches, cancel, and the
// error for the stage. Cancellation is told by the error's code ('cancelled'), never by its text. Written to be
// shared (conventions §5): nothing here knows about training; a tool keeps one tracker per kind of job.
import { StudioError } from '../../../../main/api/contract';
import { followJob } from '../../lib/api/follow-job';
import { connection } from '../../lib/state/connection.svelte';

export interface JobState {
  jobId: string | null;
  fraction: number;
  etaSeconds: number | null;
  /** The engine's own words for the current phase ("extracting features", "epoch 3"), if any. */
  message: string;
  startedAt: number;
  /** Cancel was pressed; the job ends when the engine confirms. */
  cancelling: boolean;
  /** Held between two steps by Pause (jobs that offer pause points: training). */
  paused: boolean;
}

export interface JobFailure {
  code: string;
  message: string;
}

export interface JobHooks {
  onPreview?: (bytes: Uint8Array, step?: number) => void;
  onMetrics?: (points: { step: number; name: string; value: number }[]) => void;
}

export class JobTracker {
  state = $state<JobState | null>(null);
  error = $state.raw<JobFailure | null>(null);
  private token = 0;

  /**
   * Starts a job and resolves with its parsed result, or null when it was cancelled, failed (see `error`) or
   * replaced by a newer job of this tracker (whose events from then on are the only ones applied).
   */
  async run<T>(start: () => Promise<{ jobId: string }>, parse: (v: unknown) => T, hooks: JobHooks = {}): Promise<T | null> {
    if (this.state) void this.cancel();
    const token = ++this.token;
    const live = () => token === this.token;
    this.state = {
      jobId: null,
      fraction: 0,
      etaSeconds: null,
      message: '',
      startedAt: performance.now(),
      cancelling: false,
      paused: false,
    };
    this.error = null;
    try {
      const value = await followJob(start, {
        onStart: (jobId) => {
          if (!live() || !this.state) return void connection.call('jobs.cancel', { jobId }).catch(() => undefined);
          this.state.jobId = jobId;
          if (this.state.cancelling) void connection.call('jobs.cancel', { jobId }).catch(() => undefined);
        },
        onProgress: (fraction, etaSeconds, message) => {
          if (!live() || !this.state) return;
          this.state.fraction = fraction;
          this.state.etaSeconds = etaSeconds;
          // The job manager's own pause notices (jobs/job-manager.ts pausePoint) set the state, not the phase text.
          if (message === 'Paused' || message === 'Resumed') this.state.paused = message === 'Paused';
          else if (message !== undefined) this.state.message = message;
        },
        onPreview: (bytes, step) => live() && hooks.onPreview?.(bytes, step),
        onMetrics: (points) => live() && hooks.onMetrics?.(points),
      });
      if (!live()) return null;
      try {
        return parse(value);
      } catch {
        this.error = { code: 'internal', message: 'The engine answered with a result this page cannot read.' };
        return null;
      }
    } catch (e) {
      if (live() && !(e instanceof StudioError && e.code === 'cancelled'))
        this.error = e instanceof StudioError ? { code: e.code, message: e.message } : { code: 'internal', message: String(e) };
      return null;
    } finally {
      if (live()) this.state = null;
    }
  }

  /** Asks the engine to stop the job; `run` resolves with null once it has. */
  async cancel(): Promise<void> {
    const s = this.state;
    if (!s) return;
    s.cancelling = true;
    if (s.jobId) await connection.call('jobs.cancel', { jobId: s.jobId }).catch(() => undefined);
  }

  /**
   * Holds the job at its next step (the engine gives the compute lane to other jobs meanwhile), or lets it go
   * on. The state follows the engine's answer.
   */
  async pause(paused: boolean): Promise<void> {
    const s = this.state;
    if (!s?.jobId || s.cancelling) return;
    s.paused = paused;
    const r = await connection.call('jobs.pause', { jobId: s.jobId, paused }).catch(() => null);
    if (this.state === s) s.paused = r?.paused ?? false;
  }

  /** Forgets the job on screen without waiting (its late events are dropped), e.g. when the dataset is replaced. */
  abandon(): void {
    void this.cancel();
    this.token++;
    this.state = null;
  }
}
