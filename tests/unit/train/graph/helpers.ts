// Small classifiers for training-graph tests (float64 where ORT's CPU kernels allow it) and their feeds.
import { aFloat, aInt, DT, floatTensor, type Model, type Node, type Tensor } from '../../../../main/onnx/ir.js';
import type { TrainGraph } from '../../../../main/train/graph/train-graph.js';
import { rng } from '../../onnx/gradcheck.js';
import { node, testModel } from '../../onnx/graphs.js';
import type { Feed } from './fd.js';

export const uniform = (n: number, seed: number, lo = -1, hi = 1): number[] => {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
};

export interface Layers {
  nodes: Node[];
  initializers: Tensor[];
  input: { name: string; shape: number[] };
  elem?: number;
}

export function classifier(l: Layers): Model {
  const elem = l.elem ?? DT.DOUBLE;
  return testModel({
    nodes: l.nodes,
    inputs: [{ name: l.input.name, elemType: elem, shape: l.input.shape }],
    outputs: [{ name: 'logits', elemType: elem }],
    initializers: l.initializers,
  });
}

/** x [N, D] → Gemm(W [K, D], b) → logits. */
export function gemmNet(D: number, K: number, seed = 1): Model {
  const f = (name: string, dims: number[], s: number) =>
    floatTensor(
      name,
      dims,
      uniform(
        dims.reduce((a, b) => a * b, 1),
        s,
      ),
      DT.DOUBLE,
    );
  return classifier({
    nodes: [node('fc', 'Gemm', ['x', 'W', 'b'], ['logits'], { transB: aInt(1) })],
    initializers: [f('W', [K, D], seed), f('b', [K], seed + 1)],
    input: { name: 'x', shape: [1, D] },
  });
}

/** x [N, C, H, W] → BatchNormalization → Tanh → Flatten → Gemm → logits (float64: ORT has double kernels for these; the ReLU rule's HardSigmoid has none). */
export function bnNet(C: number, H: number, W: number, K: number): Model {
  const f = (name: string, dims: number[], vals: number[]) => floatTensor(name, dims, vals, DT.DOUBLE);
  return classifier({
    nodes: [
      node('bn', 'BatchNormalization', ['x', 'g', 'beta', 'rm', 'rv'], ['n'], { epsilon: aFloat(1e-3), momentum: aFloat(0.9) }),
      node('act', 'Tanh', ['n'], ['r']),
      node('flat', 'Flatten', ['r'], ['f']),
      node('fc', 'Gemm', ['f', 'fw', 'fb'], ['logits'], { transB: aInt(1) }),
    ],
    initializers: [
      f('g', [C], uniform(C, 3, 0.5, 1.5)),
      f('beta', [C], uniform(C, 4)),
      f('rm', [C], uniform(C, 5)),
      f('rv', [C], uniform(C, 6, 0.5, 2)),
      f('fw', [K, C * H * W], uniform(K * C * H * W, 7)),
      f('fb', [K], uniform(K, 8)),
    ],
    input: { name: 'x', shape: [1, C, H, W] },
  });
}

const typed = (t: Tensor, double: boolean) =>
  double ? Float64Array.from(t.data as Float64Array) : Float32Array.from(t.data as Float32Array);

/** Feeds of a training graph: image, labels, its trainable weights from the forward's initializers, masks. */
export function trainFeeds(
  forward: Model,
  tg: TrainGraph,
  x: number[],
  labels: number[],
  masks: Record<string, number[]> = {},
): Record<string, Feed> {
  const double = forward.graph.inputs[0].elemType === DT.DOUBLE;
  const arr = (v: number[]) => (double ? Float64Array.from(v) : Float32Array.from(v));
  const N = labels.length;
  const perSample = forward.graph.inputs[0].shape!.slice(1) as number[];
  const feeds: Record<string, Feed> = {
    [tg.input]: { data: arr(x), dims: [N, ...perSample] },
    [tg.labels]: { data: BigInt64Array.from(labels.map(BigInt)), dims: [N] },
  };
  for (const p of tg.params) feeds[p.name] = { data: typed(forward.graph.initializers.get(p.name)!, double), dims: p.shape };
  for (const d of tg.dropout) feeds[d.input] = { data: arr(masks[d.node]), dims: [N, ...d.perSample] };
  return feeds;
}

/** log softmax of each row. */
export function logSoftmaxRows(z: ArrayLike<number>, K: number): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < z.length / K; n++) {
    const r = Array.from({ length: K }, (_, k) => z[n * K + k]);
    const m = Math.max(...r);
    const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
    rows.push(r.map((v) => v - lse));
  }
  return rows;
}
