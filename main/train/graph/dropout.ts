// Dropout for training graphs: each node becomes y = x ⊙ mask ⊙ 1/(1 − p) with the 0/1 mask a graph
// input, so the trainer's seeded RNG (not ORT's) decides which units drop and a run can be replayed.
// For evaluation and export the nodes go (inference Dropout is the identity).
import { StudioError } from '../../api/contract.js';
import { attrFloat, defaultOpset, floatTensor, tensorNumbers, type Dim, type Model } from '../../onnx/ir.js';
import { constantTensors, type ShapeMap } from '../../onnx/shapes.js';
import { dropoutMask } from './names.js';

export interface DropoutMask {
  /** The Dropout node's name. */
  node: string;
  /** Graph input to feed: Bernoulli(1 − ratio) draws, 0 or 1, in the graph's float type. */
  input: string;
  ratio: number;
  /** Shape of the mask: [N, …perSample]. */
  shape: Dim[];
  perSample: number[];
}

/** p of a Dropout node: the `ratio` attribute before opset 12, a constant input after (default 0.5). */
export function dropoutRatio(model: Model, name: string): number {
  const n = model.graph.nodes.find((x) => x.name === name)!;
  if (defaultOpset(model) < 12) return attrFloat(n, 'ratio', 0.5);
  if (!n.inputs[1]) return 0.5;
  const t = constantTensors(model.graph).get(n.inputs[1]);
  if (!t) throw new StudioError('bad_model', `Dropout "${n.name}": ratio must be a constant`);
  return tensorNumbers(t)[0];
}

function refuseMaskReaders(model: Model): void {
  const read = new Set([...model.graph.nodes.flatMap((n) => n.inputs), ...model.graph.outputs.map((o) => o.name)]);
  for (const n of model.graph.nodes)
    if (n.opType === 'Dropout' && n.outputs[1] && read.has(n.outputs[1]))
      throw new StudioError('bad_model', `Dropout "${n.name}": its mask output is read by the graph`);
}

/** Rewrites every Dropout (in place) as a product with a fed mask; `shapes` must describe the graph. */
export function maskDropouts(model: Model, shapes: ShapeMap): DropoutMask[] {
  refuseMaskReaders(model);
  const g = model.graph;
  const masks: DropoutMask[] = [];
  for (const n of [...g.nodes]) {
    if (n.opType !== 'Dropout') continue;
    const ratio = dropoutRatio(model, n.name);
    const [x] = n.inputs;
    const s = shapes.get(x);
    if (!s) throw new StudioError('bad_model', `Dropout "${n.name}": input shape unknown`);
    n.outputs = [n.outputs[0]];
    n.attrs = {};
    if (ratio === 0) {
      n.opType = 'Identity';
      n.inputs = [x];
      continue;
    }
    if (!(ratio > 0 && ratio < 1)) throw new StudioError('bad_model', `Dropout "${n.name}": ratio ${ratio} outside [0, 1)`);
    const input = dropoutMask(n.name);
    const scale = `dropout_scale:${n.name}`;
    const scaled = `dropout_scaled_mask:${n.name}`;
    g.inputs.push({ name: input, elemType: s.elemType, shape: [...s.shape] });
    g.initializers.set(scale, floatTensor(scale, [], [1 / (1 - ratio)], s.elemType));
    // Kept in topological order: the scaling right before its reader.
    g.nodes.splice(g.nodes.indexOf(n), 0, {
      name: `${n.name}/scale`,
      opType: 'Mul',
      domain: '',
      inputs: [input, scale],
      outputs: [scaled],
      attrs: {},
    });
    n.opType = 'Mul';
    n.inputs = [x, scaled];
    masks.push({ node: n.name, input, ratio, shape: [...s.shape], perSample: s.shape.slice(1).map(Number) });
  }
  return masks;
}

/** Removes every Dropout (in place), its readers rewired to its input; one that is a graph output becomes Identity. */
export function removeDropouts(model: Model): number {
  refuseMaskReaders(model);
  const g = model.graph;
  const outputs = new Set(g.outputs.map((o) => o.name));
  const alias = new Map<string, string>();
  const resolve = (t: string): string => (alias.has(t) ? resolve(alias.get(t)!) : t);
  let removed = 0;
  for (const n of g.nodes) {
    if (n.opType !== 'Dropout') continue;
    removed++;
    if (outputs.has(n.outputs[0])) {
      Object.assign(n, { opType: 'Identity', inputs: [n.inputs[0]], outputs: [n.outputs[0]], attrs: {} });
      continue;
    }
    alias.set(n.outputs[0], n.inputs[0]);
  }
  g.nodes = g.nodes.filter((n) => !(n.opType === 'Dropout' && alias.has(n.outputs[0])));
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i ? resolve(i) : i));
  return removed;
}
