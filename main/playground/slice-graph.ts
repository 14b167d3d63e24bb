// The graphs of a model slice: which weights get a direction, the frozen prefix computed once per image, and
// the evaluation graph of the rest with the sliced weights as inputs (train/graph/eval-graph's, so the loss is
// the mean cross-entropy the training run's evaluation reports).
//   weights: every ≥2-D float weight of a Conv / ConvTranspose / Gemm / MatMul, less the studio's fixed grey
//            conversion; after a transfer run only the trained head's (`head/…`: the base was frozen).
//   prefix:  the nodes no sliced weight reaches; when they meet the rest in one tensor (the image after the grey
//            conversion, a transfer head's embedding) they run once, not at every grid point.
import { StudioError } from '../api/contract.js';
import { DT, realInputs, type Graph, type Model, type Node } from '../onnx/ir.js';
import { inferShapes } from '../onnx/shapes.js';
import { truncateAt } from '../onnx/surgery.js';
import { buildEvalGraph, type EvalGraph } from '../train/graph/eval-graph.js';
import type { SlicedWeight } from './directions.js';

/** The grey conversion `train/transfer/compose.ts#rgbToGrey` puts before one-channel networks: not trained. */
const FIXED = new Set(['grey/weight']);

function filterAxis(n: Node, rank: number): number {
  if (n.opType === 'ConvTranspose') return 1;
  if (n.opType === 'Gemm') {
    const t = n.attrs.transB;
    return t && t.type === 'int' && t.value === 1 ? 0 : rank - 1;
  }
  return n.opType === 'MatMul' ? rank - 1 : 0;
}

export function slicedWeights(model: Model, mode?: string): SlicedWeight[] {
  const g = model.graph;
  const out: SlicedWeight[] = [];
  const seen = new Set<string>();
  for (const n of g.nodes) {
    if (!['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(n.opType)) continue;
    const name = n.inputs[1];
    const t = g.initializers.get(name);
    if (!t || seen.has(name) || FIXED.has(name) || t.dims.length < 2 || !(t.data instanceof Float32Array)) continue;
    if (mode === 'transfer' && !name.startsWith('head/')) continue;
    seen.add(name);
    out.push({ name, dims: [...t.dims], filterAxis: filterAxis(n, t.dims.length), data: t.data });
  }
  if (out.length === 0) throw new StudioError('bad_model', 'the model has no Conv or Gemm weights to slice along');
  return out;
}

/** Nodes a sliced weight reaches (directly or through other nodes). */
function liveNodes(g: Graph, weights: ReadonlySet<string>): Set<Node> {
  const live = new Set<string>(weights);
  const nodes = new Set<Node>();
  for (const n of g.nodes)
    if (n.inputs.some((i) => live.has(i))) {
      nodes.add(n);
      n.outputs.forEach((o) => live.add(o));
    }
  return nodes;
}

export interface SliceGraphs {
  /** Computes `frontier` from the image input once per image; null when the frontier is the input itself. */
  prefix: Model | null;
  /** The tensor the evaluation graph starts from, and its per-image shape. */
  frontier: string;
  frontierShape: number[];
  eval: EvalGraph;
}

export function sliceGraphs(model: Model, weights: readonly SlicedWeight[]): SliceGraphs {
  const g = model.graph;
  const input = realInputs(g)[0].name;
  const live = liveNodes(g, new Set(weights.map((w) => w.name)));
  const made = new Set([...live].flatMap((n) => n.outputs));
  const fed = new Set([...live].flatMap((n) => n.inputs).filter((t) => t && !made.has(t) && !g.initializers.has(t)));
  // Several tensors cross (a skip connection into the trained part): no cut, every grid point runs the whole net.
  const frontier = fed.size === 1 ? [...fed][0] : input;
  const shapes = inferShapes(model);
  const fs = shapes.get(frontier)?.shape;
  if (!fs || fs.slice(1).some((d) => typeof d !== 'number'))
    throw new StudioError('bad_model', `the shape of "${frontier}" is not known, so the slice cannot start there`);
  const rest: Model =
    frontier === input
      ? model
      : {
          ...model,
          graph: {
            ...g,
            nodes: g.nodes.filter((n) => live.has(n)),
            inputs: [{ name: frontier, elemType: shapes.get(frontier)?.elemType ?? DT.FLOAT, shape: ['N', ...fs.slice(1)] }],
            initializers: new Map([...g.initializers].filter(([k]) => [...live].some((n) => n.inputs.includes(k)))),
            valueInfo: new Map(),
          },
        };
  return {
    prefix: frontier === input ? null : batchFree(truncateAt(model, [frontier], shapes)),
    frontier,
    frontierShape: fs.slice(1) as number[],
    eval: buildEvalGraph(
      rest,
      weights.map((w) => w.name),
      { bnParamsAsInputs: false },
    ),
  };
}

/** The prefix runs images in batches: its image input's first dimension becomes symbolic. */
function batchFree(m: Model): Model {
  for (const v of realInputs(m.graph)) if (v.shape?.length) v.shape = ['N', ...v.shape.slice(1)];
  m.graph.valueInfo.clear();
  return m;
}
