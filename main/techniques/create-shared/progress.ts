// The run loop's reporting: a loss per step as a metric, progress with the step count, a small PNG preview
// every few steps, optional time-lapse frames, and cancellation checked before every network evaluation.
// A JobContext satisfies Reporter; the CLI passes a quiet one.
import { StudioError, type Preprocessing } from '../../api/contract';
import { imgToRgb, rgbPng, type Img } from './pixels';

export interface Reporter {
  progress(fraction: number, message?: string): void;
  preview(mime: string, bytes: Uint8Array, step?: number): void;
  metric(step: number, name: string, value: number): void;
  throwIfCancelled(): void;
}

export const quietReporter = (signal?: AbortSignal): Reporter => ({
  progress: () => {},
  preview: () => {},
  metric: () => {},
  throwIfCancelled: () => {
    if (signal?.aborted) throw new StudioError('cancelled', 'cancelled');
  },
});

export interface Frame {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export interface TrackOptions {
  /** Steps between previews (0: none). */
  previewEvery: number;
  /** Longest side of preview PNGs. */
  previewSize?: number;
  /** Keep a frame at every preview for a time-lapse GIF. */
  frames?: boolean;
}

export class Tracker {
  step = 0;
  readonly losses: number[] = [];
  readonly frames: Frame[] = [];
  private readonly t0 = performance.now();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly r: Reporter,
    readonly total: number,
    private readonly pre: Preprocessing,
    private readonly opts: TrackOptions,
  ) {}

  /** Call before each network evaluation: a cancel lands within one step. */
  check(): void {
    this.r.throwIfCancelled();
  }

  /** The loss of the starting image (step 0 of the curve). */
  start(loss: number): void {
    if (this.losses.length > this.step) return;
    this.losses.push(loss);
    this.r.metric(this.step, 'loss', loss);
  }

  /**
   * Records one finished step; `img` is the current image, previewed every `previewEvery` steps. Synchronous
   * for the optimisers' callbacks: the preview PNG is encoded in the background (awaited by flush()).
   */
  done(loss: number, img: Img | null, parts: Record<string, number> = {}, message?: string): void {
    this.step++;
    this.losses.push(loss);
    this.r.metric(this.step, 'loss', loss);
    for (const [k, v] of Object.entries(parts)) this.r.metric(this.step, k, v);
    this.r.progress(Math.min(1, this.step / this.total), message ?? `step ${this.step} / ${this.total}`);
    const every = this.opts.previewEvery;
    if (img && every > 0 && (this.step % every === 0 || this.step === this.total)) this.show(img);
  }

  show(img: Img, rgb?: Uint8Array): void {
    const px = rgb ?? imgToRgb(img, this.pre);
    const step = this.step;
    if (this.opts.frames) this.frames.push({ rgb: px, width: img.width, height: img.height });
    this.pending = this.pending
      .then(async () =>
        this.r.preview('image/png', new Uint8Array(await rgbPng(px, img.width, img.height, this.opts.previewSize ?? 384)), step),
      )
      .catch(() => {});
  }

  /** Waits for previews still being encoded. */
  flush(): Promise<void> {
    return this.pending;
  }

  get ms(): number {
    return performance.now() - this.t0;
  }
}
