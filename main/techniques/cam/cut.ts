// Cuts a model at an intermediate activation A so that A becomes a graph input: the gradient core
// differentiates with respect to graph inputs, and Grad-CAM needs d(score)/dA. Nodes downstream of A
// are kept; tensors they read from upstream (skip connections around A) become extra inputs, fed from
// a forward tap. This lives here, not in main/onnx, which another engineer owns.
import { StudioError } from '../../api/contract';
import { cloneGraph, type Dim, type Model, type Node } from '../../onnx/ir';
import { topoSort } from '../../onnx/validate';
import type { ShapeMap } from '../../onnx/shapes';
import { GraphIndex } from '../shared/graph-index';

export interface CutModel {
  model: Model;
  /** The activation, now an input. */
  input: string;
  /** Upstream tensors the head still reads; feed them from the forward pass. */
  extras: string[];
  /** Scalar-per-image score [N, 1] = logits · weights, with weights fed as input `WEIGHTS_INPUT` [K, 1]. */
  score: string;
}

export const WEIGHTS_INPUT = 'cam:class_weights';

export function cutAt(model: Model, shapes: ShapeMap, activation: string, logits: string, classes: number): CutModel {
  const g = cloneGraph(model.graph);
  const idx = new GraphIndex(g);
  if (!idx.producer.has(activation)) throw new StudioError('bad_request', `no tensor named "${activation}" in the model`);
  const needed = idx.ancestors([logits]);
  if (!needed.has(activation)) throw new StudioError('bad_request', `the scores do not depend on layer "${activation}"`);
  // Forward closure: tensors that depend on the activation.
  const downstream = new Set([activation]);
  for (const n of topoSort(g)) if (n.inputs.some((i) => downstream.has(i))) n.outputs.forEach((o) => o && downstream.add(o));
  const keep = g.nodes.filter(
    (n) =>
      !n.outputs.includes(activation) &&
      n.outputs.some((o) => needed.has(o)) &&
      (n.outputs.some((o) => downstream.has(o)) || constOnly(n, idx)),
  );
  const produced = new Set(keep.flatMap((n) => n.outputs));
  const extras = [...new Set(keep.flatMap((n) => n.inputs))].filter(
    (i) => i && i !== activation && !produced.has(i) && !g.initializers.has(i),
  );
  const shapeOf = (t: string): Dim[] => {
    const s = shapes.get(t);
    if (!s) throw new StudioError('bad_model', `shape of "${t}" unknown`);
    return [...s.shape];
  };
  g.nodes = keep;
  g.inputs = [activation, ...extras].map((name) => ({ name, elemType: shapes.get(name)?.elemType ?? 1, shape: shapeOf(name) }));
  g.inputs.push({ name: WEIGHTS_INPUT, elemType: 1, shape: [classes, 1] });
  const score = 'cam:score';
  g.nodes.push({ name: 'cam_score', opType: 'MatMul', domain: '', inputs: [logits, WEIGHTS_INPUT], outputs: [score], attrs: {} });
  g.outputs = [{ name: score, elemType: 1, shape: [shapeOf(logits)[0], 1] }];
  g.valueInfo.clear();
  for (const [k] of g.initializers) if (!keep.some((n) => n.inputs.includes(k))) g.initializers.delete(k);
  return { model: { ...model, graph: g }, input: activation, extras, score };
}

/** Nodes computed from constants only (e.g. a Constant shape for a Reshape). */
function constOnly(n: Node, idx: GraphIndex): boolean {
  return n.opType === 'Constant' || n.inputs.every((i) => !i || idx.isConst(i));
}
