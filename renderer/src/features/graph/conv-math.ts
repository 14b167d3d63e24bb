// Conv arithmetic along one axis (Dumoulin & Visin, "A guide to convolution arithmetic"): the output-size
// formula with a layer's own numbers, and the frames of the sliding-window figure. Pure: unit-tested.

export type WindowOp = 'conv' | 'pool' | 'transpose';

export interface AxisParams {
  /** Input size along the axis. */
  n: number;
  k: number;
  s: number;
  /** Padding before and after (ONNX `pads` can differ: SAME_UPPER puts the extra pixel after). */
  pBegin: number;
  pEnd: number;
  d: number;
  /** Pooling with ceil_mode rounds up. */
  ceil?: boolean;
  /** ConvTranspose only. */
  outputPadding?: number;
}

/** Output size of a conv or pool: ⌊(n + p₀ + p₁ − d(k−1) − 1)/s⌋ + 1 (⌈…⌉ with ceil_mode). */
export function convOut(a: AxisParams): number {
  const span = a.n + a.pBegin + a.pEnd - a.d * (a.k - 1) - 1;
  return (a.ceil ? Math.ceil(span / a.s) : Math.floor(span / a.s)) + 1;
}

/** Output size of a transposed conv: s(n−1) + d(k−1) + 1 − p₀ − p₁ + output_padding. */
export function transposeOut(a: AxisParams): number {
  return a.s * (a.n - 1) + a.d * (a.k - 1) + 1 - a.pBegin - a.pEnd + (a.outputPadding ?? 0);
}

export const outSize = (op: WindowOp, a: AxisParams): number => (op === 'transpose' ? transposeOut(a) : convOut(a));

/** Explicit pads for ONNX auto_pad (SAME_UPPER / SAME_LOWER / VALID / NOTSET) along one axis. */
export function resolvePads(
  autoPad: string | undefined,
  n: number,
  k: number,
  s: number,
  d: number,
  pads: [number, number],
): [number, number] {
  if (!autoPad || autoPad === 'NOTSET') return pads;
  if (autoPad === 'VALID') return [0, 0];
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - n);
  const small = Math.floor(total / 2);
  return autoPad === 'SAME_LOWER' ? [total - small, small] : [small, total - small];
}

/** The formula as plain text with the numbers in, e.g. "⌊(112 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 56". */
export function formulaText(op: WindowOp, a: AxisParams): string {
  const p = a.pBegin === a.pEnd ? `2·${a.pBegin}` : `${a.pBegin} + ${a.pEnd}`;
  if (op === 'transpose') {
    const op_ = a.outputPadding ? ` + ${a.outputPadding}` : '';
    return `${a.s}·(${a.n} − 1) + ${a.d}·(${a.k} − 1) + 1 − ${p}${op_} = ${transposeOut(a)}`;
  }
  const [l, r] = a.ceil ? ['⌈', '⌉'] : ['⌊', '⌋'];
  return `${l}(${a.n} + ${p} − ${a.d}·(${a.k} − 1) − 1)/${a.s}${r} + 1 = ${convOut(a)}`;
}

/** One frame of the sliding-window figure: which output cell fills and which (padded) input cells it reads. */
export interface WindowFrame {
  out: [number, number];
  /** Cells of the drawn input grid (padding included, 0-based from the padded top-left) the kernel covers. */
  taps: [number, number][];
}

/**
 * The picture the course draws. A conv or pool reads a padded input (p zeros around n cells) with a dilated
 * kernel moving by s. A transposed conv is drawn as the direct conv it equals: s−1 zeros between input
 * cells, d(k−1) − p zeros of padding around them, a stride-1 kernel (Dumoulin & Visin, section 4).
 */
export interface WindowFigure {
  /** Side of the drawn input grid, padding and inserted zeros included. */
  grid: number;
  /** true where a cell holds a real input value (false: padding or an inserted zero). */
  real: boolean[];
  outSide: number;
  /** The kernel's stride on the drawn grid (1 for a transposed conv). */
  step: number;
  frames: WindowFrame[];
}

export function windowFigure(op: WindowOp, a: AxisParams): WindowFigure {
  const span = a.d * (a.k - 1) + 1;
  let grid: number;
  let real: (i: number) => boolean;
  let step: number;
  let lead: number;
  if (op === 'transpose') {
    const inner = (a.n - 1) * a.s + 1;
    const pb = span - 1 - a.pBegin;
    const pe = span - 1 - a.pEnd + (a.outputPadding ?? 0);
    const zeros = Math.max(0, pb);
    grid = zeros + inner + Math.max(0, pe);
    real = (i) => i >= zeros && i < zeros + inner && (i - zeros) % a.s === 0;
    step = 1;
    // Negative padding (p > d(k−1)) crops: the window starts inside the grid.
    lead = Math.max(0, -pb);
  } else {
    grid = a.pBegin + a.n + a.pEnd;
    real = (i) => i >= a.pBegin && i < a.pBegin + a.n;
    step = a.s;
    lead = 0;
  }
  const outSide = outSize(op, a);
  const frames: WindowFrame[] = [];
  for (let i = 0; i < outSide; i++)
    for (let j = 0; j < outSide; j++) {
      const taps: [number, number][] = [];
      for (let u = 0; u < a.k; u++) for (let v = 0; v < a.k; v++) taps.push([lead + i * step + u * a.d, lead + j * step + v * a.d]);
      frames.push({ out: [i, j], taps });
    }
  const flags: boolean[] = [];
  for (let i = 0; i < grid; i++) flags.push(real(i));
  return { grid, real: flags, outSide, step, frames };
}

/**
 * The figure is drawn on a small input (the course's 4–7 cells) with the layer's own k, s, p and d: a 112-wide
 * grid is unreadable. The smallest n ≥ 4 that gives at least 2 outputs (3 where cheap), capped by the real n.
 */
export function figureInput(op: WindowOp, a: AxisParams): number {
  if (op === 'transpose') return Math.min(a.n, 3);
  const span = a.d * (a.k - 1) + 1;
  const want = Math.max(4, span + 2 * a.s - a.pBegin - a.pEnd);
  return Math.max(1, Math.min(a.n, want, 9));
}
