// Pictures of the race: the view as one PNG (3-D beside contour, with a legend strip) and an animated GIF
// recorded frame by frame while the race plays (gifenc; each frame quantised to its own 256 colours as it
// arrives, so stopping costs only the file's assembly).
import { GIFEncoder, applyPalette, quantize, type Encoder } from 'gifenc';
import { optimizerLabel } from '../../../../main/playground/optimizer-path';
import type { Surface } from '../../../../main/playground/surfaces';
import { OPTIMIZER_COLORS } from './palette';
import type { RacerView } from './race.svelte';

export interface ComposeInput {
  scene: HTMLCanvasElement | null;
  contour: HTMLCanvasElement;
  views: RacerView[];
  surface: Surface;
  steps: number;
  background: string;
  text: string;
  muted: string;
}

const LEGEND = 64;

/** One picture of the view: panels at a common height, then the legend (colour, optimiser, loss). */
export function composeView(input: ComposeInput, height = 540): HTMLCanvasElement {
  const panels = [input.scene, input.contour].filter((c): c is HTMLCanvasElement => !!c && c.width > 0 && c.height > 0);
  const widths = panels.map((c) => Math.round((c.width / c.height) * height));
  const W = Math.max(
    480,
    widths.reduce((a, b) => a + b, 0),
  );
  const out = document.createElement('canvas');
  out.width = W;
  out.height = height + LEGEND;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = input.background;
  ctx.fillRect(0, 0, out.width, out.height);
  let x = 0;
  panels.forEach((c, i) => {
    ctx.drawImage(c, x, 0, widths[i], height);
    x += widths[i];
  });
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillStyle = input.text;
  ctx.textBaseline = 'middle';
  ctx.fillText(`${input.surface.label}: ${input.surface.formula} · step ${input.steps}`, 12, height + 16);
  ctx.font = '12.5px system-ui, sans-serif';
  const shown = input.views.filter((v) => v.enabled && !v.error);
  const col = (W - 24) / Math.max(1, Math.min(7, shown.length));
  shown.forEach((v, i) => {
    const cx = 12 + i * col;
    const cy = height + 44;
    ctx.fillStyle = OPTIMIZER_COLORS[v.kind];
    ctx.fillRect(cx, cy - 6, 12, 12);
    ctx.fillStyle = input.text;
    ctx.fillText(optimizerLabel(v.kind), cx + 18, cy);
    const label = ctx.measureText(optimizerLabel(v.kind)).width;
    ctx.fillStyle = input.muted;
    ctx.fillText(v.diverged ? 'diverged' : formatLoss(v.step.f), cx + 24 + label, cy);
  });
  return out;
}

export function formatLoss(f: number): string {
  if (!Number.isFinite(f)) return 'diverged';
  const a = Math.abs(f);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? f.toExponential(2) : f.toPrecision(4);
}

export async function canvasPng(c: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the picture');
  return new Uint8Array(await blob.arrayBuffer());
}

/** Records composed frames into a GIF while the race plays. */
export class GifRecorder {
  private readonly gif: Encoder = GIFEncoder();
  private readonly scratch = document.createElement('canvas');
  frames = 0;

  constructor(
    readonly maxFrames = 240,
    private readonly width = 560,
    private readonly delayMs = 50,
  ) {}

  get full(): boolean {
    return this.frames >= this.maxFrames;
  }

  add(frame: HTMLCanvasElement): void {
    if (this.full) return;
    const w = Math.min(this.width, frame.width);
    const h = Math.round((frame.height / frame.width) * w);
    this.scratch.width = w;
    this.scratch.height = h;
    const ctx = this.scratch.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(frame, 0, 0, w, h);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const palette = quantize(rgba, 256);
    this.gif.writeFrame(applyPalette(rgba, palette), w, h, { palette, delay: this.delayMs, repeat: 0 });
    this.frames++;
  }

  finish(): Uint8Array {
    this.gif.finish();
    return this.gif.bytes();
  }
}
