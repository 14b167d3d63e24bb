// From an engine node to what the arithmetic and math panels need: the per-axis window parameters and the
// shapes around the node. Pure: unit-tested.
import type { GraphDescription, GraphNode } from '../../../../main/api/contract';
import type { AxisParams, WindowOp } from './conv-math';
import type { MathLayer } from './math-tex';

export function windowOp(op: string): WindowOp | null {
  if (op === 'Conv') return 'conv';
  if (op === 'ConvTranspose') return 'transpose';
  if (op === 'MaxPool' || op === 'AveragePool' || op === 'LpPool') return 'pool';
  return null;
}

/** H and W axes of a windowed node, or a sentence saying why there are none. */
export function axesOf(n: GraphNode): { op: WindowOp; axes: AxisParams[] } | { why: string } {
  const op = windowOp(n.op);
  const c = n.conv;
  if (!op || !c) return { why: `${n.op} has no sliding window: pick a Conv, ConvTranspose or pooling node.` };
  if (c.kernel.length !== 2) return { why: `A ${c.kernel.length}-D window: the figure draws 2-D ones.` };
  const size = c.inSize;
  if (!size || typeof size[0] !== 'number' || typeof size[1] !== 'number') return { why: 'The input size of this node is unknown.' };
  const outPad = n.attributes.output_padding;
  const axes = [0, 1].map((i): AxisParams => ({
    n: size[i] as number,
    k: c.kernel[i],
    s: c.strides[i] ?? 1,
    pBegin: c.pads[i] ?? 0,
    pEnd: c.pads[i + 2] ?? 0,
    d: c.dilations[i] ?? 1,
    ceil: c.ceilMode,
    outputPadding: Array.isArray(outPad) ? Number(outPad[i] ?? 0) : 0,
  }));
  return { op, axes };
}

/** Tensor name → shape, from the edges (every data tensor between nodes is on one). */
export function tensorShapes(d: GraphDescription): Map<string, number[] | null> {
  const m = new Map<string, number[] | null>();
  for (const e of d.edges) m.set(e.tensor, e.shape && e.shape.every((x) => typeof x === 'number') ? (e.shape as number[]) : null);
  return m;
}

const numeric = (s: GraphNode['shape']): number[] | null => (s && s.every((x) => typeof x === 'number') ? (s as number[]) : null);

export function mathLayerOf(n: GraphNode, shapes: Map<string, number[] | null>): MathLayer {
  const c = n.conv;
  const max = n.attributes.max;
  const relu6 = n.op === 'Clip' && (max === 6 || /relu6/i.test(n.name) || n.weights.some((w) => /relu6/i.test(w.name)));
  return {
    op: n.op,
    input: shapes.get(n.inputs[0]) ?? null,
    output: numeric(n.shape),
    weight: n.op === 'Conv' || n.op === 'ConvTranspose' ? (n.weights[0]?.shape ?? null) : null,
    k: c?.kernel[0],
    s: c?.strides[0],
    p: c?.pads[0],
    d: c?.dilations[0],
    group: c?.groups,
    clipMax: n.op === 'Clip' ? (typeof max === 'number' ? max : relu6 ? 6 : null) : null,
  };
}
