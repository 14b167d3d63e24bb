// Request/response bookkeeping shared by both transports: ids, pending promises, event fan-out.
import { StudioError, type ResponseEnvelope, type StudioEvent } from '../../../../main/api/contract';

export class ClientCore {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Set<(e: StudioEvent) => void>();

  register(): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    const promise = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    return { id, promise };
  }

  settle(response: ResponseEnvelope): void {
    const p = this.pending.get(response.id);
    if (!p) return;
    this.pending.delete(response.id);
    if (response.ok) p.resolve(response.result);
    else p.reject(new StudioError(response.error.code, response.error.message));
  }

  failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  emit(event: StudioEvent): void {
    for (const l of this.listeners) l(event);
  }

  on(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
