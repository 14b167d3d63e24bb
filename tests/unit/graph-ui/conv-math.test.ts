// Conv arithmetic: the output-size formula against sizes PyTorch gives for the same layers, and the
// sliding-window figure against a direct computation (a transposed conv drawn as a conv must equal the scatter).
import { describe, expect, it } from 'vitest';
import {
  convOut,
  figureInput,
  formulaText,
  resolvePads,
  transposeOut,
  windowFigure,
  type AxisParams,
} from '../../../renderer/src/features/graph/conv-math';

const ax = (n: number, k: number, s = 1, p = 0, d = 1, extra: Partial<AxisParams> = {}): AxisParams => ({
  n,
  k,
  s,
  pBegin: p,
  pEnd: p,
  d,
  ...extra,
});

describe('output size', () => {
  it('matches torch.nn.Conv2d / MaxPool2d / ConvTranspose2d sizes', () => {
    // torch: Conv2d(3, 32, 3, stride=2, padding=1)(x[1,3,224,224]).shape[-1] == 112 (MobileNetV2's first conv)
    expect(convOut(ax(224, 3, 2, 1))).toBe(112);
    expect(convOut(ax(224, 7, 2, 3))).toBe(112); // ResNet conv1
    expect(convOut(ax(112, 3, 2, 1))).toBe(56); // ResNet maxpool
    expect(convOut(ax(10, 3, 1, 2, 2))).toBe(10); // dilation 2, padding 2
    expect(convOut(ax(5, 3, 2, 0, 1))).toBe(2);
    expect(convOut(ax(6, 3, 2, 0, 1, { ceil: true }))).toBe(3); // MaxPool2d(3, 2, ceil_mode=True) on 6
    expect(convOut(ax(6, 3, 2, 0, 1))).toBe(2);
    expect(transposeOut(ax(7, 4, 2, 1))).toBe(14); // DCGAN upsampling
    expect(transposeOut(ax(3, 3, 2, 1, 1, { outputPadding: 1 }))).toBe(6);
  });

  it('resolves SAME_UPPER like TensorFlow (extra pixel after)', () => {
    expect(resolvePads('SAME_UPPER', 224, 3, 2, 1, [0, 0])).toEqual([0, 1]);
    expect(resolvePads('SAME_LOWER', 224, 3, 2, 1, [0, 0])).toEqual([1, 0]);
    expect(resolvePads('VALID', 224, 3, 2, 1, [1, 1])).toEqual([0, 0]);
    expect(resolvePads(undefined, 224, 3, 2, 1, [1, 1])).toEqual([1, 1]);
    const [b, e] = resolvePads('SAME_UPPER', 224, 3, 2, 1, [0, 0]);
    expect(convOut({ n: 224, k: 3, s: 2, d: 1, pBegin: b, pEnd: e })).toBe(112);
  });

  it('writes the formula with the numbers in', () => {
    expect(formulaText('conv', ax(224, 3, 2, 1))).toBe('⌊(224 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 112');
    expect(formulaText('pool', ax(6, 3, 2, 0, 1, { ceil: true }))).toBe('⌈(6 + 2·0 − 1·(3 − 1) − 1)/2⌉ + 1 = 3');
    expect(formulaText('transpose', ax(7, 4, 2, 1))).toBe('2·(7 − 1) + 1·(4 − 1) + 1 − 2·1 = 14');
  });
});

/** A 2-D single-channel conv done through the figure's frames (cells that are not real read 0). */
function viaFigure(op: 'conv' | 'transpose', a: AxisParams, x: number[][], w: number[][]): number[][] {
  const f = windowFigure(op, a);
  // Place the real input values on the drawn grid in order.
  const idx: number[] = [];
  f.real.forEach((r, i) => r && idx.push(i));
  const grid = Array.from({ length: f.grid }, () => new Array<number>(f.grid).fill(0));
  idx.forEach((gi, i) => idx.forEach((gj, j) => (grid[gi][gj] = x[i][j])));
  const out = Array.from({ length: f.outSide }, () => new Array<number>(f.outSide).fill(0));
  // A transposed conv as a direct conv uses the flipped kernel.
  const k = a.k;
  const kw = (u: number, v: number) => (op === 'transpose' ? w[k - 1 - u][k - 1 - v] : w[u][v]);
  for (const fr of f.frames) {
    let acc = 0;
    fr.taps.forEach(([r, c], t) => {
      if (r >= 0 && c >= 0 && r < f.grid && c < f.grid) acc += grid[r][c] * kw(Math.floor(t / k), t % k);
    });
    out[fr.out[0]][fr.out[1]] = acc;
  }
  return out;
}

function direct(a: AxisParams, x: number[][], w: number[][]): number[][] {
  const o = convOut(a);
  return Array.from({ length: o }, (_, i) =>
    Array.from({ length: o }, (_, j) => {
      let acc = 0;
      for (let u = 0; u < a.k; u++)
        for (let v = 0; v < a.k; v++) {
          const r = i * a.s + u * a.d - a.pBegin;
          const c = j * a.s + v * a.d - a.pBegin;
          if (r >= 0 && c >= 0 && r < a.n && c < a.n) acc += x[r][c] * w[u][v];
        }
      return acc;
    }),
  );
}

/** Transposed conv by scatter (each input cell adds w·x to the outputs it reaches), as ONNX defines it. */
function scatter(a: AxisParams, x: number[][], w: number[][]): number[][] {
  const o = transposeOut(a);
  const out = Array.from({ length: o }, () => new Array<number>(o).fill(0));
  for (let i = 0; i < a.n; i++)
    for (let j = 0; j < a.n; j++)
      for (let u = 0; u < a.k; u++)
        for (let v = 0; v < a.k; v++) {
          const r = i * a.s + u * a.d - a.pBegin;
          const c = j * a.s + v * a.d - a.pBegin;
          if (r >= 0 && c >= 0 && r < o && c < o) out[r][c] += x[i][j] * w[u][v];
        }
  return out;
}

let seed = 7;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const mat = (n: number) => Array.from({ length: n }, () => Array.from({ length: n }, rand));

describe('sliding-window figure', () => {
  it.each([[ax(5, 3, 1, 1)], [ax(5, 3, 2, 1)], [ax(7, 3, 2, 0, 2)], [ax(6, 4, 2, 1)]])('conv frames compute the conv (%o)', (a) => {
    const x = mat(a.n);
    const w = mat(a.k);
    const f = windowFigure('conv', a);
    expect(f.frames).toHaveLength(convOut(a) ** 2);
    const got = viaFigure('conv', a, x, w);
    const want = direct(a, x, w);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 10)));
  });

  it.each([[ax(3, 3, 2, 1)], [ax(3, 4, 2, 1)], [ax(4, 3, 1, 0)], [ax(3, 3, 2, 0, 2)], [ax(3, 3, 2, 1, 1, { outputPadding: 1 })]])(
    'a transposed conv drawn as a conv equals the scatter definition (%o)',
    (a) => {
      const x = mat(a.n);
      const w = mat(a.k);
      const got = viaFigure('transpose', a, x, w);
      const want = scatter(a, x, w);
      expect(got.length).toBe(want.length);
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 10)));
    },
  );

  it('draws a small input that still shows the stride', () => {
    expect(figureInput('conv', ax(112, 3, 2, 1))).toBe(5);
    expect(convOut({ ...ax(112, 3, 2, 1), n: 5 })).toBeGreaterThanOrEqual(2);
    expect(figureInput('conv', ax(3, 3, 1, 1))).toBe(3);
    expect(figureInput('transpose', ax(7, 4, 2, 1))).toBe(3);
  });
});
