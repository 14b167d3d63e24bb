// The page's end of the layout worker: one worker for the view's life, the newest request wins
// (an answer to an older request, overtaken by a size change or an expansion, is dropped).
import type { LayoutBox, LayoutEdgeIn, LayoutResponse } from './layout-types';

export type LayoutResult = Extract<LayoutResponse, { ok: true }>;

export class LayoutClient {
  private worker: Worker | null = null;
  private seq = 0;
  private waiting = new Map<number, { resolve: (r: LayoutResult | null) => void; reject: (e: Error) => void }>();

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<LayoutResponse>) => {
      const r = e.data;
      const p = this.waiting.get(r.seq);
      if (!p) return;
      this.waiting.delete(r.seq);
      if (r.seq !== this.seq) p.resolve(null);
      else if (r.ok) p.resolve(r);
      else p.reject(new Error(`Layout failed: ${r.error}`));
    };
    w.onerror = (e) => {
      for (const p of this.waiting.values()) p.reject(new Error(`Layout worker failed: ${e.message}`));
      this.waiting.clear();
    };
    this.worker = w;
    return w;
  }

  /** Resolves with the layout, or null when a newer request overtook this one. */
  layout(boxes: LayoutBox[], edges: LayoutEdgeIn[]): Promise<LayoutResult | null> {
    const seq = ++this.seq;
    // Older requests still running resolve null when they come back.
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.ensure().postMessage({ seq, boxes, edges });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.waiting.values()) p.resolve(null);
    this.waiting.clear();
  }
}
