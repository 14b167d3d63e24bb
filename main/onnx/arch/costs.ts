// Learnable parameters, multiply-accumulates and activation memory of one ONNX node, from shapes alone.
// MACs (multiply-accumulates) follow the convention of torchvision's and TF-slim's published tables:
// Conv: output elements × (C_in / groups) × k_h × k_w; ConvTranspose: input elements × (C_out / groups) × k_h × k_w;
// Gemm/MatMul: M × K × N (per batch). Bias additions, activations, pooling and BatchNormalization count no MACs.
// FLOPs are 2 × MACs (a multiply and an add), the tensorflow.profiler convention.
import { attrInt, numel, type Dim, type Graph, type Node, type Tensor } from '../ir.js';
import { constantTensors, type ShapeMap } from '../shapes.js';

export interface WeightRef {
  name: string;
  shape: number[];
  /** Counted as a learnable parameter (false for running statistics, shape constants, clip bounds…). */
  learnable: boolean;
}

export interface NodeCost {
  params: number;
  /** null when a shape the count needs is unknown. */
  macs: number | null;
  weights: WeightRef[];
}

/** Which inputs of an op are learnable when they are constants (every other constant input is not). */
export const LEARNABLE_INPUTS: Record<string, number[]> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  // Scale and bias; inputs 3 and 4 are the running mean and variance.
  BatchNormalization: [1, 2],
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
  GroupNormalization: [1, 2],
  PRelu: [1],
};

export interface MacContext {
  node: Node;
  /** Shape of the node's input i or output i (undefined when unknown). */
  inShape: (i: number) => Dim[] | undefined;
  outShape: (i: number) => Dim[] | undefined;
}

const known = (s: Dim[] | undefined): s is number[] => !!s && s.every((d) => typeof d === 'number');

/** One rule per op that multiplies-and-accumulates; exported so a test can break one and see the totals fail. */
export const MAC_RULES: Record<string, (c: MacContext) => number | null> = {
  Conv: ({ node, inShape, outShape }) => {
    const x = inShape(0);
    const w = inShape(1);
    const y = outShape(0);
    if (!known(x) || !known(w) || !known(y)) return null;
    const groups = attrInt(node, 'group', 1);
    return numel(y) * (x[1] / groups) * numel(w.slice(2));
  },
  ConvTranspose: ({ inShape }) => {
    // Every input element is multiplied into a k_h × k_w window of each of its group's output channels;
    // the weight is [C_in, C_out / groups, k_h, k_w].
    const x = inShape(0);
    const w = inShape(1);
    if (!known(x) || !known(w)) return null;
    return numel(x) * w[1] * numel(w.slice(2));
  },
  Gemm: ({ node, inShape }) => {
    const a = inShape(0);
    const b = inShape(1);
    if (!known(a) || !known(b)) return null;
    const m = attrInt(node, 'transA', 0) ? a[1] : a[0];
    const k = attrInt(node, 'transA', 0) ? a[0] : a[1];
    const n = attrInt(node, 'transB', 0) ? b[0] : b[1];
    return m * k * n;
  },
  MatMul: ({ inShape, outShape }) => {
    const a = inShape(0);
    const y = outShape(0);
    if (!known(a) || !known(y)) return null;
    // Each output element is a dot product over a's last axis.
    return numel(y) * a[a.length - 1];
  },
};

/** Bytes per element of an ONNX tensor type. */
export function elemBytes(elemType: number): number {
  switch (elemType) {
    case 2: // UINT8
    case 3: // INT8
    case 9: // BOOL
      return 1;
    case 4: // UINT16
    case 5: // INT16
    case 10: // FLOAT16
    case 16: // BFLOAT16
      return 2;
    case 7: // INT64
    case 11: // DOUBLE
    case 13: // UINT64
    case 14: // COMPLEX64
      return 8;
    case 15: // COMPLEX128
      return 16;
    default: // FLOAT, INT32, UINT32
      return 4;
  }
}

/** Bytes of a tensor of this shape and type, or null when the shape is unknown or symbolic. */
export function tensorBytes(shape: Dim[] | undefined, elemType: number): number | null {
  return known(shape) ? numel(shape) * elemBytes(elemType) : null;
}

/**
 * Tensors whose value is fixed before the model runs: initializers, Constant outputs, and the outputs of nodes
 * that read only such tensors (exporters route shared or deduplicated weights through Identity, or transpose a
 * weight before a MatMul). `nodes` are those weight-plumbing nodes, which the view hides. `order` is topological.
 */
export function constantSet(g: Graph, order: Node[]): { names: Set<string>; nodes: Set<Node> } {
  const names = new Set<string>(constantTensors(g).keys());
  const nodes = new Set<Node>();
  for (const n of order) {
    const ins = n.inputs.filter((i) => i);
    if (n.opType === 'Constant' || (ins.length > 0 && ins.every((i) => names.has(i)))) {
      nodes.add(n);
      for (const o of n.outputs) if (o) names.add(o);
    }
  }
  return { names, nodes };
}

/** The stored tensor behind a constant name, following Identity aliases (null when it is computed, e.g. a Transpose). */
export function constantValue(g: Graph, name: string): Tensor | null {
  const consts = constantTensors(g);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  let t = name;
  for (let hops = 0; hops < 64; hops++) {
    const hit = consts.get(t);
    if (hit) return hit;
    const p = producer.get(t);
    if (!p || p.opType !== 'Identity') return null;
    t = p.inputs[0];
  }
  return null;
}

/** Parameters (learnable constants it reads), MACs and the constant tensors it reads, for one node. */
export function nodeCost(n: Node, shapes: ShapeMap, isConst: (name: string) => boolean): NodeCost {
  const learnableAt = new Set(LEARNABLE_INPUTS[n.opType] ?? []);
  const weights: WeightRef[] = [];
  const seen = new Set<string>();
  n.inputs.forEach((name, i) => {
    if (!name || !isConst(name) || seen.has(name)) return;
    seen.add(name);
    const shape = shapes.get(name)?.shape;
    const dims = shape && shape.every((d) => typeof d === 'number') ? (shape as number[]) : [];
    weights.push({ name, shape: [...dims], learnable: learnableAt.has(i) && dims.length > 0 });
  });
  const params = weights.reduce((sum, w) => sum + (w.learnable ? numel(w.shape) : 0), 0);
  const rule = MAC_RULES[n.opType];
  const macs = rule
    ? rule({
        node: n,
        inShape: (i) => (n.inputs[i] ? shapes.get(n.inputs[i])?.shape : undefined),
        outShape: (i) => (n.outputs[i] ? shapes.get(n.outputs[i])?.shape : undefined),
      })
    : 0;
  return { params, macs, weights };
}
