// Winograd F(4×4, 3×3) and F(6×6, 3×3) lowering of 3×3 stride-1 convolutions (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016). ORT's direct NCHWc convolution already runs near
// this CPU's peak, so the only way to go faster is fewer multiplications: each 4×4 output tile costs 36
// products per (input, output) channel pair instead of 144 (4× fewer; 6×6 tiles: 64 instead of 324),
// paid for by two small transforms.
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A   per 6×6 input tile d (stride 4) and 3×3 kernel g
//
// In ONNX ops: the input transform is a 6×6 stride-4 Conv of every channel as its own image (36 fixed
// filters), the 36 products-and-sums are one batched MatMul with U = G g Gᵀ (a graph input, computed
// once per session by winograd-weights.ts), and the output transform is a [16, 36] MatMul plus
// DepthToSpace. Spatial sizes stay dynamic: the input is padded up to whole tiles and the result sliced
// back to H×W. Convs with up to 256 channels use F(6×6, 3×3) (8×8 tiles, 64 products per 36 outputs),
// wider ones F(4×4, 3×3): see TILE6_MAX_CHANNELS.
// docs/techniques.md has the table of steps.
// Float32 error is ~1e-5 relative for F(4×4), ~2e-5 for F(6×6) (the direct conv's is ~1e-7): fine for gradients, so only the
// gradient graphs use it, never classification.
import { aInt, aInts, aString, attrInt, attrInts, attrString, DT, type Graph, type Node, type Tensor } from './ir.js';
import { GraphBuilder } from './builder.js';

interface TileAlgo {
  /** Output tile side m and input tile side a = m + 2. */
  m: number;
  a: number;
  BT: number[][];
  G: number[][];
  AT: number[][];
}

/** F(4×4, 3×3), points 0, ±1, ±2, ∞ (Lavin & Gray's choice): 36 products per 16 outputs. */
const F4: TileAlgo = {
  m: 4,
  a: 6,
  BT: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
};

/** F(6×6, 3×3), points 0, ±1, ±2, ±1/2, ∞ (NNPACK's): 64 products per 36 outputs. */
const F6: TileAlgo = {
  m: 6,
  a: 8,
  BT: [
    [1, 0, -21 / 4, 0, 21 / 4, 0, -1, 0],
    [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
    [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
    [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
    [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
    [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
    [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
    [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1],
  ],
  G: [
    [1, 0, 0],
    [-2 / 9, -2 / 9, -2 / 9],
    [-2 / 9, 2 / 9, -2 / 9],
    [1 / 90, 1 / 45, 2 / 45],
    [1 / 90, -1 / 45, 2 / 45],
    [32 / 45, 16 / 45, 8 / 45],
    [32 / 45, -16 / 45, 8 / 45],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
    [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
    [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 0],
    [0, 1, 1, 16, 16, 1 / 16, 1 / 16, 0],
    [0, 1, -1, 32, -32, 1 / 32, -1 / 32, 1],
  ],
};

/** Below this many input or output channels the transforms cost more than the products they save
 * (VGG19's 64-channel conv1_2 at 224 px: 14 ms direct, 21 ms lowered; bench/gradient/profile.ts). */
export const WINOGRAD_MIN_CHANNELS = 128;

/**
 * F(6×6, 3×3) up to this many channels, F(4×4, 3×3) above. The 8×8 tiles need 1.78 transformed values
 * per pixel instead of 2.25 (and fill ORT's 16-channel blocks exactly, 64 against 36 padded to 48), which
 * pays where activations are large and weights small; their U is 7.1× the 3×3 weights instead of 4×,
 * which costs where weights are large and tiles few (512 channels at small sizes: the MatMul then
 * streams U from memory). VGG19 → relu4_2, DeepDream octave sizes: 5–10% faster per step above
 * 250×180 px than F(4×4) everywhere, the same below (bench/gradient/profile.ts).
 */
export const TILE6_MAX_CHANNELS = 256;

export interface WinogradOptions {
  /** Lower only convs with at least this many input and output channels (default WINOGRAD_MIN_CHANNELS). */
  minChannels?: number;
  /** Output tile side for every lowered conv: 4 for F(4×4, 3×3), 6 for F(6×6, 3×3). */
  tile?: 4 | 6;
  /** Without `tile`: F(6×6, 3×3) where neither channel count exceeds this (default TILE6_MAX_CHANNELS). */
  tile6MaxChannels?: number;
}

/** Whether a Conv node is a 3×3, stride-1, dilation-1, group-1, pad-1 conv with a float32 initializer weight. */
export function winogradEligible(g: Graph, n: Node, minChannels: number): Tensor | null {
  if (n.opType !== 'Conv' || n.domain !== '') return null;
  const w = g.initializers.get(n.inputs[1]);
  if (!w || w.dataType !== DT.FLOAT || w.dims.length !== 4) return null;
  const [M, C, kh, kw] = w.dims;
  if (kh !== 3 || kw !== 3 || C < minChannels || M < minChannels) return null;
  if (attrString(n, 'auto_pad', 'NOTSET') !== 'NOTSET') return null;
  if (attrInt(n, 'group', 1) !== 1) return null;
  const ones = (v: number[] | undefined) => !v || v.every((x) => x === 1);
  if (!ones(attrInts(n, 'strides')) || !ones(attrInts(n, 'dilations'))) return null;
  const pads = attrInts(n, 'pads');
  if (!pads || pads.length !== 4 || !pads.every((p) => p === 1)) return null;
  return w;
}

/** G ⊗ G [a², 9]: U[(i, j)] = Σ_{k,l} G[i][k] G[j][l] g[k, l]. */
function kernelTransform({ a, G }: TileAlgo): number[] {
  const out: number[] = [];
  for (let i = 0; i < a; i++)
    for (let j = 0; j < a; j++) for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) out.push(G[i][k] * G[j][l]);
  return out;
}

/** The a² input-transform filters [a², 1, a, a]: filter (i, j) = outer(Bᵀ[i], Bᵀ[j]). */
function inputTransformKernel({ a, BT }: TileAlgo): number[] {
  const out: number[] = [];
  for (let i = 0; i < a; i++)
    for (let j = 0; j < a; j++) for (let u = 0; u < a; u++) for (let v = 0; v < a; v++) out.push(BT[i][u] * BT[j][v]);
  return out;
}

/** A transformed weight the lowered graph takes as an input: `input` = U of `weight` for `tile`. */
export interface WinogradWeight {
  input: string;
  weight: Tensor;
  tile: 4 | 6;
}

/**
 * Replaces every eligible Conv in the graph (in place) by its Winograd form; returns the transformed
 * weights the graph now reads as inputs (one per lowered weight; empty when nothing was lowered).
 */
export function lowerWinograd(g: Graph, opts: WinogradOptions = {}): WinogradWeight[] {
  const minChannels = opts.minChannels ?? WINOGRAD_MIN_CHANNELS;
  const tile6Max = opts.tile6MaxChannels ?? TILE6_MAX_CHANNELS;
  const b = new GraphBuilder(g, DT.FLOAT, new Map(), 'wino');
  // The fixed transforms, made on first use: a graph with nothing to lower gets no unused initializers.
  const fixedOf = new Map<TileAlgo, { kin: string; at: string }>();
  const uOf = new Map<string, string>();
  const weights: WinogradWeight[] = [];
  const original = g.nodes;
  g.nodes = [];
  for (const n of original) {
    const w = winogradEligible(g, n, minChannels);
    if (!w) {
      g.nodes.push(n);
      continue;
    }
    const algo = (opts.tile ?? (Math.max(w.dims[0], w.dims[1]) <= tile6Max ? 6 : 4)) === 6 ? F6 : F4;
    const { m } = algo;
    const a2 = algo.a * algo.a;
    const m2 = m * m;
    let fixed = fixedOf.get(algo);
    if (!fixed) {
      fixed = {
        kin: b.constArray(inputTransformKernel(algo), [a2, 1, algo.a, algo.a]),
        at: b.constArray(algo.AT.flat(), [m, algo.a]),
      };
      fixedOf.set(algo, fixed);
    }
    const { kin, at } = fixed;
    const [M, C] = w.dims;
    const x = n.inputs[0];
    const xs = b.op('Shape', [x], {}, 'xs');
    // U = G g Gᵀ for every (m, c) is a graph input, computed once per session (winograd-weights.ts)
    // and fed with every run without a copy: folding it inside ORT cost more at session creation
    // than the rest of the graph's optimisation, and the 3×3 weights are not kept beside it.
    let u = uOf.get(w.name);
    if (!u) {
      u = `${w.name}:winograd${m}`;
      uOf.set(w.name, u);
      g.inputs.push({ name: u, elemType: DT.FLOAT, shape: [a2, M, C] });
      weights.push({ input: u, weight: w, tile: m as 4 | 6 });
    }
    const batch = b.op('Slice', [xs, b.constI64([0]), b.constI64([1])], {}, 'n');
    const hw = b.op('Slice', [xs, b.constI64([2]), b.constI64([4])], {}, 'hw');
    // Every channel as its own one-channel image: [N·C, 1, H, W].
    const xb = b.reshape(x, b.constI64([-1, 1, 0, 0]));
    // Tiles start at -1 (the conv's pad) every 4 pixels; padding the end by 4 gives ceil(H/4) tiles.
    const v = b.op(
      'Conv',
      [xb, kin],
      { strides: aInts([m, m]), pads: aInts([1, 1, m, m]), kernel_shape: aInts([algo.a, algo.a]) },
      'wt_in',
    );
    const tiles = b.op('Slice', [b.op('Shape', [v], {}, 'vs'), b.constI64([2]), b.constI64([4])], {}, 'tiles');
    const v4 = b.reshape(v, b.concatI([batch, b.constI64([C, a2, -1])])); // [N, C, a², T]
    const vt = b.transpose(v4, [0, 2, 1, 3]); // [N, a², C, T]
    const mm = b.op('MatMul', [u, vt], {}, 'wt_mm'); // U [a², M, C] broadcast over N: [N, a², M, T]
    // Output transform Aᵀ m A as two small GEMMs, over the tile's rows i, then its columns j (batched
    // over the output rows p): a third of the products of one [m², a²] GEMM, and no transpose between.
    const byRows = b.op('MatMul', [at, b.reshape(mm, b.concatI([batch, b.constI64([algo.a, -1])]))], {}, 'wt_out'); // [N, m(p), a(j)·M·T]
    const byCols = b.reshape(byRows, b.concatI([batch, b.constI64([m, algo.a, -1])])); // [N, m(p), a(j), M·T]
    const o = b.op('MatMul', [at, byCols], {}, 'wt_out'); // [N, m(p), m(q), M·T]
    // Channels (p·m + q)·M + m are DepthToSpace's DCR order.
    const o4 = b.reshape(o, b.concatI([batch, b.constI64([m2 * M]), tiles]));
    const y2 = b.op('DepthToSpace', [o4], { blocksize: aInt(m), mode: aString('DCR') }, 'wt_d2s'); // [N, M, m·th, m·tw]
    let y = b.op('Slice', [y2, b.constI64([0, 0]), hw, b.constI64([2, 3])], {}, 'wt_crop');
    // The bias may be an initializer or computed (exporters share identical ones through Constant nodes).
    if (n.inputs[2]) y = b.add(y, b.reshape(n.inputs[2], b.constI64([M, 1, 1])));
    // The last node writes the conv's own output name, so consumers, taps and objectives are unchanged.
    const last = g.nodes[g.nodes.length - 1];
    last.outputs[0] = n.outputs[0];
  }
  // The 3×3 weights that only lowered convs read are not needed by the session any more.
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const { weight } of weights) if (!read.has(weight.name)) g.initializers.delete(weight.name);
  return weights;
}

/** U = (G ⊗ G) [a², 9] × gᵀ: the matrix that turns a weight [M, C, 3, 3] seen as [M·C, 9] into U [a², M, C]. */
export function kernelTransformMatrix(tile: 4 | 6): { rows: number; data: Float32Array } {
  const algo = tile === 6 ? F6 : F4;
  return { rows: algo.a * algo.a, data: Float32Array.from(kernelTransform(algo)) };
}
