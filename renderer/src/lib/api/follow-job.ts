// Follows a job (explain.*, create.*): progress, previews and metrics as they come, the result at the end.
// Events can beat the call's reply (a cached CAM finishes in milliseconds), so events of jobs not yet
// claimed are kept briefly.
import { StudioError, type JobEvent } from '../../../../main/api/contract';
import { connection } from '../state/connection.svelte';

type Handler = (e: JobEvent) => void;
const handlers = new Map<string, Handler>();
const early = new Map<string, JobEvent[]>();

connection.onEvent((e) => {
  if (e.channel !== 'job') return;
  const h = handlers.get(e.payload.jobId);
  if (h) return h(e.payload);
  const list = early.get(e.payload.jobId) ?? [];
  list.push(e.payload);
  early.set(e.payload.jobId, list);
  if (early.size > 32) early.delete(early.keys().next().value as string);
});

export interface Hooks {
  onStart?: (jobId: string) => void;
  onProgress?: (fraction: number, etaSeconds: number | null, message?: string) => void;
  onPreview?: (bytes: Uint8Array, step?: number) => void;
  /** A batch of metric points (the engine sends them at most ~10 times a second). */
  onMetrics?: (points: { step: number; name: string; value: number }[]) => void;
}

/**
 * Tells the engine the page has drawn a preview (after the next frame), so it may send the next one: the
 * engine never queues previews faster than the page shows them.
 */
function takePreview(jobId: string): void {
  requestAnimationFrame(() => void connection.call('jobs.previewTaken', { jobId }).catch(() => {}));
}

/** Starts the job (`start` returns its id) and resolves with its `done` result. */
export async function followJob(start: () => Promise<{ jobId: string }>, hooks: Hooks = {}): Promise<unknown> {
  const { jobId } = await start();
  hooks.onStart?.(jobId);
  return new Promise((resolve, reject) => {
    const handle: Handler = (e) => {
      if (e.type === 'progress') hooks.onProgress?.(e.fraction, e.etaSeconds, e.message);
      else if (e.type === 'preview') {
        hooks.onPreview?.(e.bytes, e.step);
        takePreview(jobId);
      } else if (e.type === 'metrics') hooks.onMetrics?.(e.points);
      else if (e.type === 'metric') hooks.onMetrics?.([e]);
      else if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled') {
        handlers.delete(jobId);
        if (e.type === 'done') resolve(e.result);
        else if (e.type === 'failed') reject(new StudioError(e.error.code as never, e.error.message));
        else reject(new StudioError('cancelled', 'Cancelled.'));
      }
    };
    handlers.set(jobId, handle);
    for (const e of early.get(jobId) ?? []) handle(e);
    early.delete(jobId);
  });
}
