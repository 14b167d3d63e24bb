// Vision transformers in miniature, built with GraphBuilder, for the tests of token and channels-last maps.
// tinyVit: an 8-px conv patch embedding of a 32×32 image (a 4×4 grid), flattened and transposed to tokens, a
// class token concatenated in front, a position embedding of 17 tokens added (so 32×32 is the only size it
// takes), three pre-norm blocks (two-head attention, GELU MLP), the class token into the classifier.
// tinySwin: a 4-px patch embedding turned channels last ([N, H, W, C]) by a Transpose, LayerNorm/MatMul
// blocks on that layout (one through a window partition and back, Swin's reshape round trip), patch merging
// (strided Slices, Concat on the channels), permuted back to NCHW for the pooling head.
import { GraphBuilder, INT64_MAX } from '../../main/onnx/builder';
import { aInt, aInts, DT, type Model } from '../../main/onnx/ir';
import { testModel, value } from '../unit/onnx/graphs';

/** Weights of a fixed pattern with the scale of a default init (1/√fan-in), different per seed. */
function weights(b: GraphBuilder, dims: number[], seed: number, fanIn = dims[0]): string {
  const n = dims.reduce((a, c) => a * c, 1);
  const k = 1 / Math.sqrt(fanIn);
  return b.constArray(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.618 + seed * 2.7) * k * 1.7),
    dims,
  );
}

function blocks(b: GraphBuilder) {
  const ln = (x: string, c: number) =>
    b.op(
      'LayerNormalization',
      [x, b.constArray(new Float32Array(c).fill(1), [c]), b.constArray(new Float32Array(c), [c])],
      { axis: aInt(-1) },
      'ln',
    );
  const linear = (x: string, cin: number, cout: number, seed: number) =>
    b.add(b.op('MatMul', [x, weights(b, [cin, cout], seed)]), weights(b, [cout], seed + 0.5, cin));
  // GELU as torch.onnx exports it: x · ½ · (1 + erf(x / √2)).
  const gelu = (x: string) => b.mul(b.mul(x, b.add(b.op('Erf', [b.div(x, b.constF([Math.SQRT2]))]), b.constF([1]))), b.constF([0.5]));
  const mlp = (x: string, c: number, seed: number) => linear(gelu(linear(ln(x, c), c, 2 * c, seed)), 2 * c, c, seed + 1);
  return { ln, linear, gelu, mlp };
}

export interface TinyVit {
  model: Model;
  /** The residual block outputs [1, 17, 16] in graph order. */
  blockOutputs: string[];
  /** The token sequence before the class token is added [1, 16, 16]. */
  patches: string;
  /** Attention scores [1, 2, 17, 17] of the first block (no feature map). */
  scores: string;
}

export function tinyVit(): TinyVit {
  const D = 16;
  const T = 17;
  const m = testModel({ nodes: [], inputs: [value('x', [1, 3, 32, 32])], outputs: [] });
  const b = new GraphBuilder(m.graph, DT.FLOAT, new Map(), 'vit');
  const { ln, linear, mlp } = blocks(b);
  const patch = b.op(
    'Conv',
    ['x', weights(b, [D, 3, 8, 8], 1, 192), weights(b, [D], 2)],
    { kernel_shape: aInts([8, 8]), strides: aInts([8, 8]) },
    'patch',
  );
  const patches = b.transpose(b.reshape(patch, b.constI64([0, D, -1])), [0, 2, 1]);
  const cls = weights(b, [1, 1, D], 3);
  let x = b.add(b.op('Concat', [cls, patches], { axis: aInt(1) }, 'tokens'), weights(b, [1, T, D], 4));
  const blockOutputs: string[] = [];
  let scores = '';
  for (let i = 0; i < 3; i++) {
    const h = ln(x, D);
    // Two heads of 8: [1, T, 16] → [1, 2, T, 8].
    const heads = (t: string) => b.transpose(b.reshape(t, b.constI64([0, T, 2, D / 2])), [0, 2, 1, 3]);
    const [q, k, v] = [10, 20, 30].map((s) => heads(linear(h, D, D, s + i)));
    const s = b.div(b.op('MatMul', [q, b.transpose(k, [0, 1, 3, 2])]), b.constF([Math.sqrt(D / 2)]));
    if (i === 0) scores = s;
    const att = b.op('MatMul', [b.op('Softmax', [s], { axis: aInt(-1) }), v]);
    const mixed = linear(b.reshape(b.transpose(att, [0, 2, 1, 3]), b.constI64([0, T, D])), D, D, 40 + i);
    x = b.add(x, mixed);
    blockOutputs.push(x);
    x = b.add(x, mlp(x, D, 50 + 2 * i));
    blockOutputs.push(x);
  }
  const cls0 = b.op('Gather', [ln(x, D), b.constI64([0], [])], { axis: aInt(1) }, 'readout');
  const logits = b.op('Gemm', [cls0, weights(b, [5, D], 60), weights(b, [5], 61)], { transB: aInt(1) }, 'logits');
  m.graph.outputs = [value(logits)];
  return { model: m, blockOutputs, patches, scores };
}

export interface TinySwin {
  model: Model;
  /** The patch embedding's output, NCHW [1, 8, 8, 8]. */
  embed: string;
  /** Channels-last block outputs: [1, 8, 8, 8] (through a window round trip), [1, 8, 8, 8], [1, 4, 4, 16]. */
  blockOutputs: string[];
  /** The last map permuted back to NCHW [1, 16, 4, 4]. */
  back: string;
}

export function tinySwin(): TinySwin {
  const C = 8;
  const m = testModel({ nodes: [], inputs: [value('x', [1, 3, 32, 32])], outputs: [] });
  const b = new GraphBuilder(m.graph, DT.FLOAT, new Map(), 'swin');
  const { ln, linear, mlp } = blocks(b);
  const embed = b.op(
    'Conv',
    ['x', weights(b, [C, 3, 4, 4], 1, 48), weights(b, [C], 2)],
    { kernel_shape: aInts([4, 4]), strides: aInts([4, 4]) },
    'patch',
  );
  let x = ln(b.transpose(embed, [0, 2, 3, 1]), C);
  // Window mixing: [1, 8, 8, C] → 4 windows of 4×4 → [4, 16, C], a linear map, and back.
  const win = b.reshape(b.transpose(b.reshape(ln(x, C), b.constI64([1, 2, 4, 2, 4, C])), [0, 1, 3, 2, 4, 5]), b.constI64([4, 16, C]));
  const mixed = linear(win, C, C, 5);
  const merged = b.reshape(b.transpose(b.reshape(mixed, b.constI64([1, 2, 2, 4, 4, C])), [0, 1, 3, 2, 4, 5]), b.constI64([1, 8, 8, C]));
  const out1 = b.add(x, merged);
  x = b.add(out1, mlp(out1, C, 6));
  const out2 = x;
  // Patch merging: the four 2×2 phases side by side on the channels, then a linear map to 2C.
  const phase = (dy: number, dx: number) =>
    b.op('Slice', [x, b.constI64([dy, dx]), b.constI64([INT64_MAX, INT64_MAX]), b.constI64([1, 2]), b.constI64([2, 2])], {}, 'phase');
  const cat = b.op('Concat', [phase(0, 0), phase(1, 0), phase(0, 1), phase(1, 1)], { axis: aInt(-1) }, 'merge');
  x = linear(ln(cat, 4 * C), 4 * C, 2 * C, 8);
  const out3 = b.add(x, mlp(x, 2 * C, 9));
  const back = b.transpose(ln(out3, 2 * C), [0, 3, 1, 2]);
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [back])], { axis: aInt(1) });
  const logits = b.op('Gemm', [pooled, weights(b, [5, 2 * C], 10), weights(b, [5], 11)], { transB: aInt(1) }, 'logits');
  m.graph.outputs = [value(logits)];
  return { model: m, embed, blockOutputs: [out1, out2, out3], back };
}
