// The embedding sets the engine holds for open projector views, by id: the newest few (an embedding matrix of
// 20,000 × 1,280 floats is 100 MB), so a page can project, fetch thumbnails and ask for neighbours without the
// engine recomputing anything, and the oldest set goes when a new one arrives.
import { randomUUID } from 'node:crypto';
import { StudioError } from '../api/contract';
import type { EmbeddingSet } from './embed-set';
import { unitRows } from './knn';

export interface HeldSet extends EmbeddingSet {
  id: string;
  /** Unit-length rows for cosine neighbours, made on first use. */
  unit?: Float32Array;
}

export class SetStore {
  private readonly sets = new Map<string, HeldSet>();
  constructor(private readonly capacity = 2) {}

  add(set: EmbeddingSet): HeldSet {
    const held: HeldSet = { ...set, id: `set-${randomUUID()}` };
    this.sets.set(held.id, held);
    while (this.sets.size > this.capacity) this.sets.delete(this.sets.keys().next().value as string);
    return held;
  }

  get(id: string): HeldSet {
    const s = this.sets.get(id);
    if (!s)
      throw new StudioError(
        'not_found',
        'These embeddings are no longer held by the engine (it restarted, or newer ones replaced them): compute them again.',
      );
    // Most recently used last.
    this.sets.delete(id);
    this.sets.set(id, s);
    return s;
  }

  unit(s: HeldSet): Float32Array {
    s.unit ??= unitRows(s.x, s.files.length, s.dim);
    return s.unit;
  }

  index(s: HeldSet, i: number): string {
    if (i >= s.files.length) throw new StudioError('bad_request', `image ${i} is not in this set of ${s.files.length}`);
    return s.files[i];
  }
}
