// The architecture view's facts for a model at one input size: every node with its shapes, parameters,
// MACs, activation memory, receptive field and conv arithmetic; the data edges with their shapes; the
// readable blocks (conv4_2, layer3, …) with their sums; and the totals. Shape inference runs leniently: an op
// it does not cover leaves the shapes after it unknown (null) and says so in `warnings`, never a crash.
import {
  GRAPH_MAX_SIDE,
  type GraphDescription,
  type GraphEdge,
  type GraphLayer,
  type GraphNode,
  type GraphSubLayer,
} from '../../api/contract-graph.js';
import { StudioError } from '../../api/contract.js';
import { attrInt, attrInts, cloneModel, realInputs, tensorNumbers, type AttrValue, type Dim, type Model, type Node } from '../ir.js';
import { analyseLayers, type LayerInfo } from '../layers.js';
import { constantTensors, inferShapes, spatialPads, type ShapeMap } from '../shapes.js';
import { topoSort } from '../validate.js';
import { forkedTensors, groupBlocks, splitResidualStages, stemEnd, type Block } from './blocks.js';
import { constantSet, nodeCost, tensorBytes } from './costs.js';
import { receptiveFields, type RfInfo } from './receptive-field.js';

export interface DescribeOptions {
  /** Shown as `model` in the result. */
  name: string;
  /** Input [H, W]; default: the model's own static size, else 224 × 224. */
  size?: [number, number];
  /** Where the channels sit in the model input (default NCHW). */
  layout?: 'NCHW' | 'NHWC';
}

const WINDOWED = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'LpPool']);
const MAIN_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool']);

/** Refuses sizes the view cannot sensibly compute (a 4096² input already means ~5 TMACs for VGG16). */
export function checkSize(size: [number, number]): void {
  for (const d of size)
    if (!Number.isInteger(d) || d < 1 || d > GRAPH_MAX_SIDE)
      throw new StudioError(
        'bad_request',
        `input size ${size[0]}×${size[1]}: each side must be a whole number from 1 to ${GRAPH_MAX_SIDE} pixels`,
      );
}

/** The model with its first input fixed to batch 1 and [H, W] in the given layout. */
function sized(
  model: Model,
  size: [number, number] | undefined,
  layout: 'NCHW' | 'NHWC',
): { m: Model; hw: [number, number]; input: Dim[] } {
  const m = cloneModel(model);
  const inp = realInputs(m.graph)[0];
  if (!inp) throw new StudioError('bad_model', 'the model has no input');
  const s = inp.shape;
  const [hi, wi, ci] = layout === 'NHWC' ? [1, 2, 3] : [2, 3, 1];
  const own = (i: number) => (typeof s?.[i] === 'number' ? (s[i] as number) : 224);
  const hw: [number, number] = size ?? [own(hi), own(wi)];
  checkSize(hw);
  if (s && s.length === 4) {
    inp.shape = layout === 'NHWC' ? [1, hw[0], hw[1], s[ci]] : [1, s[ci], hw[0], hw[1]];
    m.graph.valueInfo.clear();
    return { m, hw, input: [1, s[ci], hw[0], hw[1]] };
  }
  m.graph.valueInfo.clear();
  return { m, hw, input: s ? s.map((d, i) => (i === 0 && typeof d !== 'number' ? 1 : d)) : [] };
}

function smallAttrs(n: Node): GraphNode['attributes'] {
  const out: GraphNode['attributes'] = {};
  for (const [k, a] of Object.entries(n.attrs) as [string, AttrValue][]) {
    if (a.type === 'int' || a.type === 'float' || a.type === 'string') out[k] = a.value;
    else if ((a.type === 'ints' || a.type === 'floats') && a.value.length <= 16) out[k] = a.value;
    else if (a.type === 'strings' && a.value.length <= 16) out[k] = a.value;
  }
  return out;
}

function convArithmetic(n: Node, shapes: ShapeMap): GraphNode['conv'] {
  if (!WINDOWED.has(n.opType)) return null;
  const w = shapes.get(n.inputs[1])?.shape;
  const kernel = attrInts(n, 'kernel_shape') ?? (w ? (w.slice(2) as number[]) : undefined);
  if (!kernel || kernel.some((k) => typeof k !== 'number')) return null;
  const r = kernel.length;
  const strides = attrInts(n, 'strides') ?? new Array<number>(r).fill(1);
  const dilations = attrInts(n, 'dilations') ?? new Array<number>(r).fill(1);
  const x = shapes.get(n.inputs[0])?.shape;
  const y = shapes.get(n.outputs[0])?.shape;
  const pads = spatialPads(n, x?.slice(2) ?? new Array<Dim>(r).fill('?'), kernel, strides, dilations) ?? new Array<number>(2 * r).fill(0);
  return {
    kernel,
    strides,
    dilations,
    pads,
    groups: attrInt(n, 'group', 1),
    ceilMode: attrInt(n, 'ceil_mode', 0) === 1,
    inSize: x ? x.slice(2) : null,
    outSize: y ? y.slice(2) : null,
  };
}

const rfOf = (r: RfInfo | undefined) => (r ? { rf: r.rf, stride: r.stride, padding: r.padding } : null);
const sumOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + (b as number), 0));

export function describeModel(model: Model, opts: DescribeOptions): GraphDescription {
  return describeWithLayers(model, opts).description;
}

/** The description and the per-tensor layer list (names, roles) it was built from, for the CLI's table. */
export function describeWithLayers(model: Model, opts: DescribeOptions): { description: GraphDescription; layers: LayerInfo[] } {
  const { m, hw, input } = sized(model, opts.size, opts.layout ?? 'NCHW');
  const g = m.graph;
  const shapes = inferShapes(m, { lenient: true });
  const order = topoSort(g);
  const consts = constantSet(g, order);
  const inputName = realInputs(g)[0].name;
  const stored = constantTensors(g);
  const rf = receptiveFields(order, shapes, inputName, hw, (t) => {
    const v = stored.get(t);
    return v ? tensorNumbers(v) : undefined;
  });
  const infos = analyseLayers(m, shapes, order, hw);
  const named = new Map<string, string>();
  for (const l of infos) if (l.name !== l.tensor) named.set(l.tensor, l.name);

  const live = order.filter((n) => !consts.nodes.has(n));
  const ids = new Map<Node, string>(live.map((n, i) => [n, `n${i}`]));
  const producer = new Map<string, Node>();
  for (const n of live) for (const o of n.outputs) if (o) producer.set(o, n);
  const shapeOf = (t: string): Dim[] | null => shapes.get(t)?.shape ?? null;
  const layerOf = (n: Node) => named.get(n.outputs[0]) ?? null;
  const computed = (t: string) => rf.has(t);
  const isStage = (v: string) => /^(layer|stage)\d+$/.test(v);
  const residual = [...named.values()].some(isStage);
  const forks = forkedTensors(live, computed);
  const blocks = groupBlocks(live, layerOf, residual ? stemEnd(live, forks) : null);
  splitResidualStages(blocks, forks, isStage);
  const blockOf = new Map<Node, string>();
  for (const b of blocks) for (const n of b.nodes) blockOf.set(n, b.name);

  const learnable = new Map<string, number>();
  const warnings: string[] = [];
  let unknownShapes = 0;
  const nodes: GraphNode[] = live.map((n) => {
    const cost = nodeCost(n, shapes, (t) => consts.names.has(t));
    for (const w of cost.weights)
      if (w.learnable)
        learnable.set(
          w.name,
          w.shape.reduce((a, b) => a * b, 1),
        );
    const outs = n.outputs.filter((o) => o);
    const bytes = outs.map((o) => tensorBytes(shapes.get(o)?.shape, shapes.get(o)?.elemType ?? 1));
    if (outs.length && !shapes.has(outs[0])) {
      unknownShapes++;
      const inputsKnown = n.inputs.every((i) => !i || shapes.has(i));
      if (inputsKnown && warnings.length < 5)
        warnings.push(`node "${n.name}" (${n.opType}): shape inference does not cover this op, so the shapes after it are unknown`);
    }
    return {
      id: ids.get(n)!,
      name: n.name || n.outputs[0],
      op: n.opType,
      inputs: n.inputs.filter((i) => i && !consts.names.has(i)),
      outputs: outs,
      attributes: smallAttrs(n),
      layer: layerOf(n),
      block: blockOf.get(n)!,
      shape: outs.length ? shapeOf(outs[0]) : null,
      params: cost.params,
      macs: cost.macs,
      memoryBytes: sumOrNull(bytes),
      rf: rfOf(rf.get(outs[0])),
      conv: convArithmetic(n, shapes),
      weights: cost.weights,
    };
  });

  const edges: GraphEdge[] = [];
  for (const n of live)
    for (const i of new Set(n.inputs)) {
      if (!i || consts.names.has(i)) continue;
      const from = producer.get(i);
      edges.push({ from: from ? ids.get(from)! : 'input', to: ids.get(n)!, tensor: i, shape: shapeOf(i) });
    }
  for (const o of g.outputs) {
    const from = producer.get(o.name);
    if (from) edges.push({ from: ids.get(from)!, to: 'output', tensor: o.name, shape: shapeOf(o.name) });
  }

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const facts = (b: Block): GraphSubLayer => {
    const ns = b.nodes.map((n) => byId.get(ids.get(n)!)!);
    const last = ns[ns.length - 1];
    return {
      name: b.name,
      op: (ns.find((n) => MAIN_OPS.has(n.op)) ?? last).op,
      shape: last.shape,
      params: ns.reduce((a, n) => a + n.params, 0),
      macs: sumOrNull(ns.map((n) => n.macs)),
      memoryBytes: sumOrNull(ns.map((n) => n.memoryBytes)),
      rf: last.rf,
      nodeIds: ns.map((n) => n.id),
    };
  };
  const layers: GraphLayer[] = blocks.map((b) => (b.children ? { ...facts(b), children: b.children.map(facts) } : facts(b)));

  const description: GraphDescription = {
    model: opts.name,
    input,
    params: [...learnable.values()].reduce((a, b) => a + b, 0),
    macs: nodes.reduce((a, n) => a + (n.macs ?? 0), 0),
    memoryBytes: nodes.reduce((a, n) => a + (n.memoryBytes ?? 0), 0),
    unknownShapes,
    warnings,
    nodes,
    edges,
    layers,
  };
  return { description, layers: infos };
}
