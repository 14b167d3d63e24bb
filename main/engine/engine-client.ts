// The parent's handle on the engine process: request ids, pending replies, events, and a restart when the
// process dies (a crash or a kill must not take the studio down). The process itself comes from a
// `spawn` function: child_process.fork in browser mode, Electron's utilityProcess in the desktop app.
import type { EngineMessage, RequestEnvelope, ResponseEnvelope, StudioEvent } from '../api/contract';

export interface EngineChild {
  send(request: RequestEnvelope): void;
  onMessage(listener: (m: EngineMessage) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
  readonly pid?: number;
}

export class EngineClient {
  private child: EngineChild | null = null;
  private nextId = 1;
  private pending = new Map<number, (r: ResponseEnvelope) => void>();
  private listeners = new Set<(e: StudioEvent) => void>();
  private stopping = false;
  private restarts: number[] = [];

  constructor(private readonly spawn: () => EngineChild) {
    this.start();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  request(method: string, params: unknown): Promise<ResponseEnvelope> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (!this.child) this.start();
      this.child!.send({ id, method, params });
    });
  }

  onEvent(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
    this.child = null;
  }

  private start(): void {
    const child = this.spawn();
    this.child = child;
    child.onMessage((m) => {
      if (m.kind === 'response') {
        const resolve = this.pending.get(m.response.id);
        this.pending.delete(m.response.id);
        resolve?.(m.response);
      } else for (const l of this.listeners) l(m.event);
    });
    child.onExit((code) => {
      if (this.child !== child) return;
      this.child = null;
      for (const [id, resolve] of this.pending) {
        resolve({
          id,
          ok: false,
          error: { code: 'internal', message: `The engine stopped (exit code ${code ?? 'signal'}) and was restarted: try again.` },
        });
      }
      this.pending.clear();
      if (this.stopping) return;
      // Restart at once, but give up on a crash loop (5 deaths within 30 s).
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < 30_000);
      this.restarts.push(now);
      if (this.restarts.length <= 5) {
        this.start();
        for (const l of this.listeners) l({ channel: 'connection', payload: { state: 'open' } });
      }
    });
  }
}
