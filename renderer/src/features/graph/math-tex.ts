// "The math" for the selected layer as TeX with this model's numbers in: the conv's forward sum, its δ terms
// (weight, bias and input gradients; the input gradient is the transposed conv the engine's differentiator
// emits, a full convolution with the flipped kernel when s = 1), ReLU and pooling gradients, and the layer's
// Gram matrix for style (G = F·Fᵀ / (C·H·W), as main/onnx/loss.ts builds it). Pure: unit-tested.

export interface MathLayer {
  op: string;
  /** Input and output activation shapes [N, C, H, W] (or shorter for flat tensors). */
  input: readonly number[] | null;
  output: readonly number[] | null;
  /** Conv / ConvTranspose weight shape [Cout, Cin/g, kh, kw] (ConvTranspose: [Cin, Cout/g, kh, kw]). */
  weight?: readonly number[] | null;
  k?: number;
  s?: number;
  /** Padding before the first row (pads[0]). */
  p?: number;
  d?: number;
  group?: number;
  /** Clip's upper bound (ReLU6 is Clip(0, 6)). */
  clipMax?: number | null;
}

export interface MathBlock {
  title: string;
  /** One display formula per line (a side panel is narrow). */
  tex: string[];
  note?: string;
}

const R = (dims: readonly number[]) => `\\mathbb{R}^{${dims.join('\\times ')}}`;
/** Drop the batch axis: the formulas are per example. */
const chw = (s: readonly number[] | null) => (s && s.length >= 2 ? s.slice(1) : (s ?? []));
/** s·i + d·u − p with the trivial factors left out: "2i+u-1", "i+u-1", "i+2u". */
function index(i: string, u: string, s: number, d: number, p: number): string {
  const a = s === 1 ? i : `${s}${i}`;
  const b = d === 1 ? u : `${d}${u}`;
  return `${a}+${b}${p > 0 ? `-${p}` : ''}`;
}

export function convBlocks(l: MathLayer): MathBlock[] {
  const X = chw(l.input);
  const Y = chw(l.output);
  const W = l.weight ?? [];
  if (X.length !== 3 || Y.length !== 3 || W.length !== 4) return [];
  const [s, d, p, k, g] = [l.s ?? 1, l.d ?? 1, l.p ?? 0, l.k ?? W[2], l.group ?? 1];
  const cin = W[1];
  const depthwise = g > 1 && g === X[0];
  const cSum = depthwise ? '' : `\\sum_{c=0}^{${cin - 1}}`;
  const cIdx = depthwise ? 'o' : 'c';
  const h = index('i', 'u', s, d, p);
  const w = index('j', 'v', s, d, p);
  const blocks: MathBlock[] = [
    {
      title: 'Forward',
      tex: [
        `Y_{o,i,j} = b_o + ${cSum}\\sum_{u=0}^{${k - 1}}\\sum_{v=0}^{${k - 1}} W_{o,${depthwise ? '0' : 'c'},u,v}\\, X_{${cIdx},\\,${h},\\,${w}}`,
      ],
      note: `X ∈ ${X.join('×')}, W ∈ ${W.join('×')}, Y ∈ ${Y.join('×')}${depthwise ? ` (depthwise: group ${g}, each channel its own ${k}×${k} kernel)` : g > 1 ? ` (group ${g})` : ''}`,
    },
    {
      title: 'δ terms',
      tex: [
        `\\delta_{o,i,j} = \\frac{\\partial L}{\\partial Y_{o,i,j}} \\in ${R(Y)}`,
        `\\frac{\\partial L}{\\partial W_{o,${depthwise ? '0' : 'c'},u,v}} = \\sum_{i=0}^{${Y[1] - 1}}\\sum_{j=0}^{${Y[2] - 1}} \\delta_{o,i,j}\\, X_{${cIdx},\\,${h},\\,${w}}`,
        `\\frac{\\partial L}{\\partial b_o} = \\sum_{i,j} \\delta_{o,i,j}`,
      ],
    },
  ];
  // Depthwise: each input channel feeds one output channel, so there is no sum over o.
  const oSum = depthwise ? '' : '\\sum_{o}';
  const [oi, wc] = depthwise ? ['c', 'c,0'] : ['o', 'o,c'];
  const xgrad =
    s === 1
      ? `\\frac{\\partial L}{\\partial X_{c}} = ${oSum} \\operatorname{pad}_{${d * (k - 1) - p}}(\\delta_{${oi}}) \\star \\operatorname{rot180}(W_{${wc}}) \\in ${R(X.slice(1))}`
      : `\\frac{\\partial L}{\\partial X_{c,h,w}} = ${oSum}\\sum_{u,v} W_{${wc},u,v}\\,\\delta_{${oi},\\,\\frac{h${p ? `+${p}` : ''}-${d === 1 ? '' : d}u}{${s}},\\,\\frac{w${p ? `+${p}` : ''}-${d === 1 ? '' : d}v}{${s}}}`;
  blocks.push({
    title: 'Input gradient: the flipped-kernel convolution',
    tex: [
      xgrad,
      `\\frac{\\partial L}{\\partial X} = \\operatorname{ConvTranspose}(\\delta, W;\\ s{=}${s},\\ p{=}${p}${d > 1 ? `,\\ d{=}${d}` : ''}${g > 1 ? `,\\ g{=}${g}` : ''})`,
    ],
    note:
      s === 1
        ? `A “full” convolution: δ padded by d(k−1) − p = ${d * (k - 1) - p} and the kernel turned by 180°.`
        : `Only terms whose indices are whole numbers in range count: the stride-${s} conv's gradient is its transpose (zeros inserted between the δ values). The engine emits it as one ConvTranspose node.`,
  });
  return blocks;
}

export function reluBlock(l: MathLayer): MathBlock {
  const Y = chw(l.output);
  const mask = l.clipMax ? `\\mathbb{1}[0 < x < ${l.clipMax}]` : l.op === 'Clip' ? '\\mathbb{1}[\\min < x < \\max]' : '\\mathbb{1}[x > 0]';
  return {
    title: l.clipMax ? `ReLU${l.clipMax} gradient` : l.op === 'Clip' ? 'Clip gradient' : 'ReLU gradient',
    tex: [`\\frac{\\partial L}{\\partial x} = \\delta \\odot ${mask},\\qquad x,\\delta \\in ${R(Y.length ? Y : [1])}`],
    note: 'The mask passes the gradient where the unit was active and stops it elsewhere.',
  };
}

export function poolBlock(l: MathLayer): MathBlock {
  const X = chw(l.input);
  const Y = chw(l.output);
  const k = l.k ?? 1;
  if (/max/i.test(l.op))
    return {
      title: 'Max-pool gradient',
      tex: [
        `\\frac{\\partial L}{\\partial X_{c,h,w}} = \\sum_{(i,j)\\,:\\,(h,w) = \\operatorname{argmax}_{\\text{window}(i,j)} X_c} \\delta_{c,i,j}`,
        `\\delta \\in ${R(Y)},\\quad X \\in ${R(X)}`,
      ],
      note: `Each ${k}×${k} window sends its whole gradient to the one input that won it; the others get 0.`,
    };
  const area = /global/i.test(l.op) && X.length === 3 ? X[1] * X[2] : k * k;
  return {
    title: 'Average-pool gradient',
    tex: [
      `\\frac{\\partial L}{\\partial X_{c,h,w}} = \\frac{1}{${area}} \\sum_{(i,j)\\,:\\,(h,w) \\in \\text{window}(i,j)} \\delta_{c,i,j}`,
      `\\delta \\in ${R(Y)}`,
    ],
    note: `Every input in a window gets an equal 1/${area} share.`,
  };
}

export function gramBlock(l: MathLayer): MathBlock | null {
  const Y = chw(l.output);
  if (Y.length !== 3) return null;
  const [C, H, W] = Y;
  return {
    title: 'Gram matrix (style)',
    tex: [
      `F \\in ${R([C, H * W])}`,
      `G = \\frac{F F^{\\top}}{C H W} = \\frac{F F^{\\top}}{${C}\\cdot ${H}\\cdot ${W}} \\in ${R([C, C])}`,
      `\\frac{\\partial L}{\\partial F} = \\frac{(\\partial L/\\partial G + \\partial L/\\partial G^{\\top})\\,F}{${C * H * W}}`,
    ],
    note: `F is this layer's output reshaped to one row per channel (${H}×${W} = ${H * W} positions); G[a, b] says how much channels a and b fire together, wherever they fire.`,
  };
}

const ACT = /^(Relu|Clip)$/;

/** The blocks worth showing for a layer: its own op's rule, then the Gram matrix of its output. */
export function mathFor(l: MathLayer): MathBlock[] {
  const out: MathBlock[] = [];
  if (l.op === 'Conv') out.push(...convBlocks(l));
  else if (/Pool$/.test(l.op)) out.push(poolBlock(l));
  else if (ACT.test(l.op)) out.push(reluBlock(l));
  const g = gramBlock(l);
  if (g) out.push(g);
  return out;
}
