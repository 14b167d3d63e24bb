// One run being written: metrics are buffered and flushed in batches (by count or after a short delay), since one
// transaction per point would cap the log at a few thousand points a second; everything else is written at once.
import type { StudioError } from '../api/contract';
import { imageInfo } from './image-info';
import { extractOutputs } from './outputs';
import type { FinalStatus, MetricPoint, RunStore } from './store';
import { toLogError } from './errors';

export interface RecorderOptions {
  flushEvery?: number;
  flushMs?: number;
  /** Where a failed background flush is reported (it has no caller to throw to). */
  onError?: (e: StudioError) => void;
}

export class RunRecorder {
  private pending: MetricPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly store: RunStore,
    readonly seq: number,
    readonly id: string,
    private readonly options: RecorderOptions = {},
  ) {}

  get finished(): boolean {
    return this.closed;
  }

  start(at = Date.now()): void {
    this.store.startRun(this.seq, at);
  }

  metric(step: number, name: string, value: number): void {
    this.pending.push({ step, name, value });
    if (this.pending.length >= (this.options.flushEvery ?? 4096)) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        try {
          this.flush();
        } catch (e) {
          this.options.onError?.(toLogError(e, 'record metrics'));
        }
      }, this.options.flushMs ?? 250);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const points = this.pending;
    this.pending = [];
    this.store.addMetrics(this.seq, points);
  }

  item(index: number, data: unknown): void {
    this.store.addItem(this.seq, index, data);
  }

  /** Stores an image (or any file) of this run; mime and size are sniffed from the bytes. */
  artifact(role: string, name: string, bytes: Uint8Array, step?: number): number {
    const info = imageInfo(bytes);
    return this.store.addArtifact(this.seq, { role, name, bytes, step, ...info });
  }

  finish(status: FinalStatus, outcome: { result?: unknown; error?: { code: string; message: string } } = {}): void {
    if (this.closed) return;
    this.flush();
    const result =
      outcome.result === undefined ? undefined : extractOutputs(outcome.result, (name, bytes) => this.artifact('output', name, bytes));
    this.store.finishRun(this.seq, status, { ...outcome, result });
    this.closed = true;
  }
}
