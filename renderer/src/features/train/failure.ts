// Failures in the user's words, for the Train and Projector views: what failed, then the engine's sentence
// (which names the file), with a hint where the error code says what to do.
import { StudioError } from '../../../../main/api/contract';
import type { JobFailure } from './job.svelte';

/** A failure in the user's words: what failed, then the engine's sentence (which names the file). */
export function describeFailure(what: string, f: JobFailure): string {
  const msg = f.message.replace(/^Error:\s*/, '');
  switch (f.code) {
    case 'disk_full':
      return `${what}: the disk is full. ${msg}`;
    case 'not_found':
      return `${what}: ${msg}. Was the folder moved or deleted?`;
    case 'model_missing':
      return `${what}: the base model is not on disk. ${msg}`;
    case 'bad_image':
    case 'image_too_large':
      return `${what} because of an image: ${msg}`;
    case 'bad_request':
      return `${what}: ${msg}`;
    default:
      return /not connected|engine (stopped|restarted)/i.test(msg) ? `${what}: the engine stopped. ${msg}` : `${what}: ${msg}`;
  }
}

/** A thrown value as a JobFailure: the StudioError's code, else 'internal'. */
export function toFailure(e: unknown): JobFailure {
  return e instanceof StudioError
    ? { code: e.code, message: e.message }
    : { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
