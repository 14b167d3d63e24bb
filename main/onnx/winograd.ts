// Winograd F(4×4, 3×3) lowering of 3×3 stride-1 convolutions (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016). ORT's direct NCHWc convolution already runs near this CPU's
// peak, so the only way to go faster is fewer multiplications: each 4×4 output tile costs 36 products
// per (input, output) channel pair instead of 144 (4× fewer), paid for by two small transforms.
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A   per 6×6 input tile d (stride 4) and 3×3 kernel g
//
// In ONNX ops: the input transform is a 6×6 stride-4 Conv of every channel as its own image (36 fixed
// filters), the 36 products-and-sums are one batched MatMul with U = G g Gᵀ (folded from the weights
// once per session), and the output transform is a [16, 36] MatMul plus DepthToSpace. Spatial sizes
// stay dynamic: the input is padded up to whole tiles and the result sliced back to H×W.
// docs/techniques.md has the table of steps.
// Float32 error is ~1e-5 relative (the direct conv's is ~1e-7): fine for gradients, so only the
// gradient graphs use it, never classification.
import { aInt, aInts, aString, attrInt, attrInts, attrString, DT, type Graph, type Node, type Tensor } from './ir.js';
import { GraphBuilder } from './builder.js';

const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];
const A = 6; // input tile side
const M_OUT = 4; // output tile side

/** Below this many input or output channels the transforms cost more than the products they save
 * (VGG19's 64-channel conv1_2 at 224 px: 14 ms direct, 21 ms lowered; bench/gradient/profile.ts). */
export const WINOGRAD_MIN_CHANNELS = 128;

export interface WinogradOptions {
  /** Lower only convs with at least this many input and output channels (default WINOGRAD_MIN_CHANNELS). */
  minChannels?: number;
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

/** G ⊗ G [36, 9]: U[(i, j)] = Σ_{k,l} G[i][k] G[j][l] g[k, l]. */
function kernelTransform(): number[] {
  const out: number[] = [];
  for (let i = 0; i < A; i++)
    for (let j = 0; j < A; j++) for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) out.push(G[i][k] * G[j][l]);
  return out;
}

/** The 36 input-transform filters [36, 1, 6, 6]: filter (i, j) = outer(Bᵀ[i], Bᵀ[j]). */
function inputTransformKernel(): number[] {
  const out: number[] = [];
  for (let i = 0; i < A; i++)
    for (let j = 0; j < A; j++) for (let a = 0; a < A; a++) for (let b = 0; b < A; b++) out.push(BT[i][a] * BT[j][b]);
  return out;
}

/** The output transform [16, 36]: output (p, q) = Σ Aᵀ[p][i] Aᵀ[q][j] · m[i, j]. */
function outputTransformKernel(): number[] {
  const out: number[] = [];
  for (let p = 0; p < M_OUT; p++)
    for (let q = 0; q < M_OUT; q++) for (let i = 0; i < A; i++) for (let j = 0; j < A; j++) out.push(AT[p][i] * AT[q][j]);
  return out;
}

/**
 * Replaces every eligible Conv in the graph (in place) by its Winograd form; returns how many.
 */
export function lowerWinograd(g: Graph, opts: WinogradOptions = {}): number {
  const minChannels = opts.minChannels ?? WINOGRAD_MIN_CHANNELS;
  const b = new GraphBuilder(g, DT.FLOAT, new Map(), 'wino');
  // The fixed transforms, made on first use: a graph with nothing to lower gets no unused initializers.
  let fixed: { kin: string; aa: string; kron: string } | undefined;
  const uOf = new Map<string, string>();
  let count = 0;
  const original = g.nodes;
  g.nodes = [];
  for (const n of original) {
    const w = winogradEligible(g, n, minChannels);
    if (!w) {
      g.nodes.push(n);
      continue;
    }
    count++;
    fixed ??= {
      kin: b.constArray(inputTransformKernel(), [36, 1, A, A]),
      aa: b.constArray(outputTransformKernel(), [16, 36]),
      kron: b.constArray(kernelTransform(), [36, 9]),
    };
    const { kin, aa, kron } = fixed;
    const [M, C] = w.dims;
    const x = n.inputs[0];
    const xs = b.op('Shape', [x], {}, 'xs');
    const channels = b.op('Slice', [xs, b.constI64([1]), b.constI64([2])], {}, 'c');
    let u = uOf.get(w.name);
    if (!u) {
      // U = G g Gᵀ for every (m, c), as ops on the weight initializer: ORT folds them once when the
      // session is created (in C++, in place of the 3×3 weights), so no 4×-sized copy passes through
      // JavaScript or the serialised model.
      // One GEMM, (G ⊗ G) [36, 9] × gᵀ [9, M·C] (transB), written straight into U's layout: batches of
      // 6×3 products would be millions of tiny calls, and explicit transposes are slow to fold.
      const g9 = b.reshape(w.name, b.constI64([M * C, 9]));
      const u2 = b.op('Gemm', [kron, g9], { transB: aInt(1) }, 'GgGt'); // [36, M·C]: ORT folds it once
      // [36, M·C] → [36, M, C] is free at run time but slow for ORT to fold (it copies 4× the weights),
      // so the shape comes from the input's channel count, which ORT only knows at run time.
      u = b.reshape(u2, b.concatI([b.constI64([36, M]), channels]));
      uOf.set(w.name, u);
    }
    const batch = b.op('Slice', [xs, b.constI64([0]), b.constI64([1])], {}, 'n');
    const hw = b.op('Slice', [xs, b.constI64([2]), b.constI64([4])], {}, 'hw');
    // Every channel as its own one-channel image: [N·C, 1, H, W].
    const xb = b.reshape(x, b.constI64([-1, 1, 0, 0]));
    // Tiles start at -1 (the conv's pad) every 4 pixels; padding the end by 4 gives ceil(H/4) tiles.
    const v = b.op('Conv', [xb, kin], { strides: aInts([4, 4]), pads: aInts([1, 1, 4, 4]), kernel_shape: aInts([A, A]) }, 'wt_in');
    const tiles = b.op('Slice', [b.op('Shape', [v], {}, 'vs'), b.constI64([2]), b.constI64([4])], {}, 'tiles');
    const v4 = b.reshape(v, b.concatI([batch, b.constI64([C, 36, -1])])); // [N, C, 36, T]
    const vt = b.transpose(v4, [0, 2, 1, 3]); // [N, 36, C, T]
    const mm = b.op('MatMul', [u, vt], {}, 'wt_mm'); // U [36, M, C] broadcast over N: [N, 36, M, T]
    // Output transform as one small GEMM over the 36 tile positions: rows (p, q) of the 4×4 output tile.
    const o = b.op('MatMul', [aa, b.reshape(mm, b.concatI([batch, b.constI64([36, -1])]))], {}, 'wt_out'); // [N, 16, M·T]
    // Channels (p·4 + q)·M + m are DepthToSpace's DCR order.
    const o4 = b.reshape(o, b.concatI([batch, b.constI64([16 * M]), tiles]));
    const y2 = b.op('DepthToSpace', [o4], { blocksize: aInt(M_OUT), mode: aString('DCR') }, 'wt_d2s'); // [N, M, 4th, 4tw]
    let y = b.op('Slice', [y2, b.constI64([0, 0]), hw, b.constI64([2, 3])], {}, 'wt_crop');
    // The bias may be an initializer or computed (exporters share identical ones through Constant nodes).
    if (n.inputs[2]) y = b.add(y, b.reshape(n.inputs[2], b.constI64([M, 1, 1])));
    // The last node writes the conv's own output name, so consumers, taps and objectives are unchanged.
    const last = g.nodes[g.nodes.length - 1];
    last.outputs[0] = n.outputs[0];
  }
  return count;
}
