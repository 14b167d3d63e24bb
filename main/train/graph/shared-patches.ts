// The first convolution of a training graph (the one reading the image, which needs no gradient) as
// im2col + MatMul: Y[n] = W·P[n] with P[n] = the image's k×k patches. Its weight gradient needs the same
// patches (δW = Σₙ δY[n]·P[n]ᵀ), which the Conv rule would make a second time; written this way the graph
// makes them once and ORT's Conv no longer builds its own internal copy for the forward either. Only for a
// few input channels, where the patch tensor is small (LeNet-5: 1 channel, 25 patches per pixel).
import { GraphBuilder } from '../../onnx/builder.js';
import { aInt, aInts, attrInt, attrInts, type Graph, type Node } from '../../onnx/ir.js';
import type { ShapeMap } from '../../onnx/shapes.js';

/** At most this many input channels (the patch tensor is C·k² times the image). */
const MAX_CHANNELS = 3;

/** Rewrites in place every plain 2-D Conv reading `input`; returns how many. */
export function firstConvAsPatches(g: Graph, input: string, shapes: ShapeMap, elemType: number): number {
  let done = 0;
  for (const conv of [...g.nodes]) {
    if (conv.opType !== 'Conv' || conv.domain !== '' || conv.inputs[0] !== input) continue;
    const ws = shapes.get(conv.inputs[1])?.shape;
    const ys = shapes.get(conv.outputs[0])?.shape;
    const auto = conv.attrs.auto_pad;
    if (!ws || !ys || ws.length !== 4 || ys.length !== 4 || !ws.every((d) => typeof d === 'number')) continue;
    if (typeof ys[2] !== 'number' || typeof ys[3] !== 'number') continue;
    if (attrInt(conv, 'group', 1) !== 1 || (auto && auto.type === 'string' && auto.value !== 'NOTSET')) continue;
    const [M, C, kh, kw] = ws as number[];
    if (C > MAX_CHANNELS || kh * kw === 1) continue;
    rewrite(g, conv, shapes, elemType, { M, C, kernel: [kh, kw], out: [ys[2], ys[3]] });
    done++;
  }
  return done;
}

function rewrite(
  g: Graph,
  conv: Node,
  shapes: ShapeMap,
  elemType: number,
  d: { M: number; C: number; kernel: [number, number]; out: [number, number] },
): void {
  const [x, w, bias] = conv.inputs;
  const K = d.kernel[0] * d.kernel[1];
  const at = g.nodes.indexOf(conv);
  const before = g.nodes.length;
  const b = new GraphBuilder(g, elemType, shapes, 'patches');
  // P[n, c·K + j, o] = Xpad[n, c, o·s + off_j·d]: a grouped Conv with one-hot kernels, as the Conv rule's im2col.
  const onehot = new Array<number>(d.C * K * K).fill(0);
  for (let c = 0; c < d.C; c++) for (let j = 0; j < K; j++) onehot[(c * K + j) * K + j] = 1;
  const attrs = {
    group: aInt(d.C),
    kernel_shape: aInts(d.kernel),
    strides: aInts(attrInts(conv, 'strides') ?? [1, 1]),
    dilations: aInts(attrInts(conv, 'dilations') ?? [1, 1]),
    pads: aInts(attrInts(conv, 'pads') ?? [0, 0, 0, 0]),
  };
  const patches = b.op('Conv', [x, b.constArray(onehot, [d.C * K, 1, ...d.kernel])], attrs, 'im2col');
  const O = d.out[0] * d.out[1];
  const P = b.reshape(patches, b.constI64([0, d.C * K, O]));
  const W = b.reshape(w, b.constI64([d.M, d.C * K]));
  let y = b.op('MatMul', [W, P], {}, 'conv');
  if (bias) y = b.add(y, b.reshape(bias, b.constI64([d.M, 1])));
  const out = b.reshape(y, b.constI64([0, d.M, ...d.out]));
  // The last node now writes the Conv's output; the new nodes take the Conv's place in the order.
  const made = g.nodes.splice(before);
  made[made.length - 1].outputs[0] = conv.outputs[0];
  g.nodes.splice(at, 1, ...made);
  void out;
}
