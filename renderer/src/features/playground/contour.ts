// The 2-D contour view beside the 3-D one: the height ramp as an image, contour lines by marching squares on
// the same drawn heights, the trails, markers, start and minima, and step-mode arrows (−∇f direction and the
// update). Click picks a start. Canvas 2D, so it works where WebGL does not.
import type { PlaygroundOptimizerId } from '../../../../main/playground/optimizer-path';
import { contourLevels, type Field } from './field';
import { OPTIMIZER_COLORS, rampRgb } from './palette';
import type { SceneInput } from './scene';

const PAD = 10;

export class ContourView {
  private base: HTMLCanvasElement | null = null;
  private field: Field | null = null;
  private rect = { x: 0, y: 0, w: 1, h: 1 };
  private dpr = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  setField(field: Field): void {
    this.field = field;
    const { n, t } = field;
    // The ramp at grid resolution, drawn scaled; y up (row 0 of the image is the top of the domain).
    const img = document.createElement('canvas');
    img.width = n;
    img.height = n;
    const ctx = img.getContext('2d')!;
    const data = ctx.createImageData(n, n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        const [r, g, b] = rampRgb(t[j * n + i]);
        const o = 4 * ((n - 1 - j) * n + i);
        data.data[o] = r;
        data.data[o + 1] = g;
        data.data[o + 2] = b;
        data.data[o + 3] = 255;
      }
    ctx.putImageData(data, 0, 0);
    this.base = img;
  }

  resize(width: number, height: number): void {
    this.dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas.width = Math.max(1, Math.round(width * this.dpr));
    this.canvas.height = Math.max(1, Math.round(height * this.dpr));
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
  }

  /** Canvas pixel of a domain point. */
  private px(x: number, y: number): [number, number] {
    const s = this.field!.surface;
    const { x: rx, y: ry, w, h } = this.rect;
    return [
      rx + ((x - s.domain.x[0]) / (s.domain.x[1] - s.domain.x[0])) * w,
      ry + (1 - (y - s.domain.y[0]) / (s.domain.y[1] - s.domain.y[0])) * h,
    ];
  }

  draw(input: SceneInput, background: string): void {
    const field = this.field;
    const ctx = this.canvas.getContext('2d');
    if (!field || !ctx || !this.base) return;
    const s = field.surface;
    const W = this.canvas.width;
    const H = this.canvas.height;
    const aspect = (s.domain.x[1] - s.domain.x[0]) / (s.domain.y[1] - s.domain.y[0]);
    const pad = PAD * this.dpr;
    let w = W - 2 * pad;
    let h = w / aspect;
    if (h > H - 2 * pad) {
      h = H - 2 * pad;
      w = h * aspect;
    }
    this.rect = { x: (W - w) / 2, y: (H - h) / 2, w, h };
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, W, H);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.base, this.rect.x, this.rect.y, w, h);
    this.drawContours(ctx, field);
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.rect.x, this.rect.y, w, h);
    ctx.clip();
    const lw = 2 * this.dpr;
    for (const [mx, my] of s.minima) {
      const [px, py] = this.px(mx, my);
      ctx.strokeStyle = '#ffe28a';
      ctx.lineWidth = lw;
      ctx.beginPath();
      ctx.arc(px, py, 5 * this.dpr, 0, 2 * Math.PI);
      ctx.stroke();
    }
    for (const view of input.views) {
      if (!view.enabled || view.error) continue;
      const trail = input.trails.get(view.kind) ?? [];
      ctx.strokeStyle = OPTIMIZER_COLORS[view.kind];
      ctx.lineWidth = lw;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      for (let p = 0; p < trail.length / 3; p++) {
        const x = trail[3 * p];
        const y = trail[3 * p + 1];
        if (!Number.isFinite(x) || !Number.isFinite(y)) break;
        const [px, py] = this.px(x, y);
        if (p === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    const [sx, sy] = this.px(...input.start);
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#0b1020';
    ctx.lineWidth = 1.5 * this.dpr;
    ctx.beginPath();
    ctx.rect(sx - 4.5 * this.dpr, sy - 4.5 * this.dpr, 9 * this.dpr, 9 * this.dpr);
    ctx.fill();
    ctx.stroke();
    for (const view of input.views) {
      if (!view.enabled || view.error || view.diverged) continue;
      const [px, py] = this.px(view.step.x, view.step.y);
      if (input.stepMode && view.step.grad && view.step.update)
        this.drawArrows(ctx, view.kind, px, py, view.step.grad, view.step.update, input.magnify);
      ctx.fillStyle = OPTIMIZER_COLORS[view.kind];
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5 * this.dpr;
      ctx.beginPath();
      ctx.arc(px, py, 5.5 * this.dpr, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }

  private drawArrows(
    ctx: CanvasRenderingContext2D,
    kind: PlaygroundOptimizerId,
    ox: number,
    oy: number,
    grad: [number, number],
    update: [number, number],
    magnify: number,
  ): void {
    const gl = Math.hypot(grad[0], grad[1]);
    const unit = 0.12 * Math.min(this.rect.w, this.rect.h);
    if (gl > 0) {
      // −∇f, direction only (its size is in the legend): dashed, in the text colour of the picture.
      ctx.setLineDash([4 * this.dpr, 3 * this.dpr]);
      arrow(ctx, ox, oy, ox - (grad[0] / gl) * unit, oy + (grad[1] / gl) * unit, '#ffffff', 1.6 * this.dpr);
      ctx.setLineDash([]);
    }
    const s = this.field!.surface;
    const kx = (this.rect.w / (s.domain.x[1] - s.domain.x[0])) * magnify;
    const ky = (this.rect.h / (s.domain.y[1] - s.domain.y[0])) * magnify;
    arrow(ctx, ox, oy, ox + update[0] * kx, oy - update[1] * ky, OPTIMIZER_COLORS[kind], 2.4 * this.dpr);
  }

  private drawContours(ctx: CanvasRenderingContext2D, field: Field): void {
    const { n, t } = field;
    const { x: rx, y: ry, w, h } = this.rect;
    const X = (i: number) => rx + (i / (n - 1)) * w;
    const Y = (j: number) => ry + (1 - j / (n - 1)) * h;
    ctx.lineWidth = 1 * this.dpr;
    for (const level of contourLevels(14)) {
      ctx.strokeStyle = level > 0.6 ? 'rgba(20, 24, 40, 0.35)' : 'rgba(255, 255, 255, 0.32)';
      ctx.beginPath();
      for (let j = 0; j < n - 1; j++)
        for (let i = 0; i < n - 1; i++) {
          const a = t[j * n + i];
          const b = t[j * n + i + 1];
          const c = t[(j + 1) * n + i + 1];
          const d = t[(j + 1) * n + i];
          const pts: [number, number][] = [];
          const cross = (v0: number, v1: number, p0: [number, number], p1: [number, number]) => {
            if (v0 < level !== v1 < level) {
              const u = (level - v0) / (v1 - v0);
              pts.push([p0[0] + u * (p1[0] - p0[0]), p0[1] + u * (p1[1] - p0[1])]);
            }
          };
          cross(a, b, [X(i), Y(j)], [X(i + 1), Y(j)]);
          cross(b, c, [X(i + 1), Y(j)], [X(i + 1), Y(j + 1)]);
          cross(c, d, [X(i + 1), Y(j + 1)], [X(i), Y(j + 1)]);
          cross(d, a, [X(i), Y(j + 1)], [X(i), Y(j)]);
          for (let k = 0; k + 1 < pts.length; k += 2) {
            ctx.moveTo(pts[k][0], pts[k][1]);
            ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
          }
        }
      ctx.stroke();
    }
  }

  /** The domain point under a client position, or null outside the plot. */
  pick(clientX: number, clientY: number): [number, number] | null {
    if (!this.field) return null;
    const b = this.canvas.getBoundingClientRect();
    const px = (clientX - b.left) * this.dpr;
    const py = (clientY - b.top) * this.dpr;
    const { x, y, w, h } = this.rect;
    if (px < x || px > x + w || py < y || py > y + h) return null;
    const s = this.field.surface;
    return [
      s.domain.x[0] + ((px - x) / w) * (s.domain.x[1] - s.domain.x[0]),
      s.domain.y[0] + (1 - (py - y) / h) * (s.domain.y[1] - s.domain.y[0]),
    ];
  }

  get element(): HTMLCanvasElement {
    return this.canvas;
  }
}

function arrow(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number, color: string, width: number): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (len < 1) return;
  const ux = (x1 - x0) / len;
  const uy = (y1 - y0) / len;
  const head = Math.min(len * 0.45, 4 * width);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - ux * head * 0.6, y1 - uy * head * 0.6);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5);
  ctx.lineTo(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5);
  ctx.closePath();
  ctx.fill();
}
