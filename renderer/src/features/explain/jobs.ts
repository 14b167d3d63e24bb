// Runs an explain.* job and follows its events. A job's events can arrive before the call that started
// it returns its id (a cached CAM finishes in milliseconds), so events of unknown jobs are kept briefly.
import type { JobEvent } from '../../../../main/api/contract';
import { StudioError } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';

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

export interface JobHooks {
  onStart?: (jobId: string) => void;
  onProgress?: (fraction: number, etaSeconds: number | null, message?: string) => void;
  onPreview?: (bytes: Uint8Array, step?: number) => void;
}

/** Starts the job (`start` returns its id) and resolves with its `done` result. */
export async function followJob(start: () => Promise<{ jobId: string }>, hooks: JobHooks = {}): Promise<unknown> {
  const { jobId } = await start();
  hooks.onStart?.(jobId);
  return new Promise((resolve, reject) => {
    const handle: Handler = (e) => {
      if (e.type === 'progress') hooks.onProgress?.(e.fraction, e.etaSeconds, e.message);
      else if (e.type === 'preview') hooks.onPreview?.(e.bytes, e.step);
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

/** A blob URL for PNG bytes (revoke the previous one yourself). */
export function pngUrl(bytes: Uint8Array): string {
  return URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/png' }));
}

export function downloadPng(bytes: Uint8Array, filename: string): void {
  const url = pngUrl(bytes);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
