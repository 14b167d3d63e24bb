// Graph edits the techniques need: outputs at any tensor, truncation and dead-node removal, BN folding,
// MaxPool→AveragePool, dynamic spatial dims, and an opset upgrade so generated ops can use opset 17.
import { StudioError } from '../api/contract.js';
import {
  aInt,
  attrFloat,
  attrInt,
  attrInts,
  cloneModel,
  defaultOpset,
  DT,
  floatTensor,
  int64Tensor,
  realInputs,
  setDefaultOpset,
  type Graph,
  type Model,
  type Node,
} from './ir.js';
import { inferShapes, isStatic, type ShapeMap } from './shapes.js';
import { topoSort } from './validate.js';

/** Removes nodes (and unused initializers) that no graph output depends on. */
export function pruneDead(g: Graph): void {
  const needed = new Set(g.outputs.map((o) => o.name));
  const keep: Node[] = [];
  const order = topoSort(g);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.outputs.some((o) => needed.has(o))) {
      keep.push(n);
      n.inputs.forEach((x) => x && needed.add(x));
    }
  }
  const kept = new Set(keep);
  g.nodes = g.nodes.filter((n) => kept.has(n));
  for (const k of [...g.initializers.keys()]) if (!needed.has(k)) g.initializers.delete(k);
  g.inputs = g.inputs.filter((v) => needed.has(v.name) || !g.initializers.has(v.name));
}

/** Adds the named tensors as graph outputs (shape from inference when known). */
export function exposeTensors(model: Model, names: string[], shapes?: ShapeMap): void {
  const g = model.graph;
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  for (const name of names) {
    if (!produced.has(name) && !g.inputs.some((v) => v.name === name))
      throw new StudioError('bad_request', `no tensor named "${name}" in the model`);
    if (g.outputs.some((o) => o.name === name)) continue;
    const s = shapes?.get(name);
    g.outputs.push({ name, elemType: s?.elemType ?? DT.FLOAT, shape: s?.shape });
  }
}

/** Keeps only what computing `names` needs: the graph's outputs become exactly those tensors. */
export function truncateAt(model: Model, names: string[], shapes?: ShapeMap): Model {
  const m = cloneModel(model);
  m.graph.outputs = [];
  exposeTensors(m, names, shapes);
  pruneDead(m.graph);
  return m;
}

/** Folds inference BatchNormalization into the preceding Conv when the Conv's only consumer is the BN. */
export function foldBatchNorm(model: Model): number {
  const g = model.graph;
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of g.outputs) consumers.set(o.name, (consumers.get(o.name) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const init = g.initializers;
  let folded = 0;
  const removed = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.outputs.filter(Boolean).length !== 1) continue;
    const conv = producer.get(bn.inputs[0]);
    if (!conv || conv.opType !== 'Conv' || consumers.get(bn.inputs[0]) !== 1) continue;
    const [scale, beta, mean, variance] = bn.inputs.slice(1).map((n) => init.get(n));
    const w = init.get(conv.inputs[1]);
    const bias = conv.inputs[2] ? init.get(conv.inputs[2]) : undefined;
    if (!scale || !beta || !mean || !variance || !w || (conv.inputs[2] && !bias) || w.dataType !== DT.FLOAT) continue;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const M = w.dims[0];
    const per = w.data.length / M;
    const wNew = new Float32Array(w.data.length);
    const bNew = new Float32Array(M);
    for (let m = 0; m < M; m++) {
      // Fold in float64, round once.
      const k = Number(scale.data[m]) / Math.sqrt(Number(variance.data[m]) + eps);
      for (let j = 0; j < per; j++) wNew[m * per + j] = Number(w.data[m * per + j]) * k;
      bNew[m] = ((bias ? Number(bias.data[m]) : 0) - Number(mean.data[m])) * k + Number(beta.data[m]);
    }
    const wName = `${conv.inputs[1]}__bnfold`;
    const bName = `${conv.name}__bnfold_bias`;
    init.set(wName, floatTensor(wName, w.dims, wNew));
    init.set(bName, floatTensor(bName, [M], bNew));
    conv.inputs = [conv.inputs[0], wName, bName];
    conv.outputs = [bn.outputs[0]];
    removed.add(bn);
    folded++;
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n));
  pruneDead(g);
  return folded;
}

/** MaxPool → AveragePool (Gatys et al.'s smoother texture variant). Returns how many were replaced. */
export function maxPoolToAverage(model: Model): number {
  let count = 0;
  for (const n of model.graph.nodes) {
    if (n.opType !== 'MaxPool' || n.outputs[1]) continue;
    if ((attrInts(n, 'dilations') ?? []).some((d) => d !== 1)) continue;
    const { storage_order: _s, dilations: _d, ...rest } = n.attrs;
    n.opType = 'AveragePool';
    n.attrs = { ...rest, count_include_pad: aInt(0) };
    count++;
  }
  return count;
}

/**
 * Gives the image input symbolic N/H/W and checks (by symbolic shape inference) that nothing pins
 * the spatial size, e.g. a Flatten feeding a Gemm. Returns false and leaves the model alone otherwise.
 */
export function makeSpatialDynamic(model: Model, inputName?: string): { dynamic: boolean; reason?: string } {
  const inp = inputName ? model.graph.inputs.find((v) => v.name === inputName) : realInputs(model.graph)[0];
  if (!inp?.shape || inp.shape.length !== 4) return { dynamic: false, reason: 'input is not 4-D' };
  const trial = cloneModel(model);
  const tIn = trial.graph.inputs.find((v) => v.name === inp.name)!;
  const s = tIn.shape!;
  // NHWC inputs (TensorFlow exports) have the 3 channels last.
  const nhwc = s[3] === 3 && s[1] !== 3;
  tIn.shape = nhwc ? ['N', 'H', 'W', s[3]] : ['N', s[1], 'H', 'W'];
  trial.graph.valueInfo.clear();
  let shapes: ShapeMap;
  try {
    shapes = inferShapes(trial);
  } catch (e) {
    return { dynamic: false, reason: (e as Error).message };
  }
  for (const n of trial.graph.nodes) {
    if (n.opType === 'Gemm' || n.opType === 'MatMul') {
      const a = shapes.get(n.inputs[0])?.shape ?? [];
      // A MatMul with constant weights acts on the last axis only (ConvNeXt's pointwise Linear on NHWC maps).
      const perPixel = n.opType === 'MatMul' && trial.graph.initializers.has(n.inputs[1]) && typeof a[a.length - 1] === 'number';
      if (!perPixel && !isStatic(a.slice(1)))
        return { dynamic: false, reason: `node "${n.name}" (${n.opType}) sees a spatially sized input` };
    }
    if (n.opType === 'Add' || n.opType === 'Sub' || n.opType === 'Mul' || n.opType === 'Div') {
      // A spatially sized axis broadcast against a fixed one (ViT's position embedding of 197 tokens).
      const [a, b] = n.inputs.map((i) => shapes.get(i)?.shape ?? []);
      const r = Math.max(a.length, b.length);
      for (let i = 1; i <= r; i++) {
        const [x, y] = [a[a.length - i], b[b.length - i]];
        if ((typeof x === 'string' && typeof y === 'number' && y !== 1) || (typeof y === 'string' && typeof x === 'number' && x !== 1))
          return { dynamic: false, reason: `node "${n.name}" (${n.opType}) adds a fixed-size tensor to a spatially sized one` };
      }
    }
    if (n.opType === 'Reshape') {
      const a = shapes.get(n.inputs[0])?.shape ?? [];
      const out = shapes.get(n.outputs[0])?.shape ?? [];
      if (!isStatic(a.slice(1)) && isStatic(out.slice(1))) return { dynamic: false, reason: `node "${n.name}" reshapes to a fixed size` };
    }
  }
  inp.shape = tIn.shape;
  model.graph.valueInfo.clear();
  for (const o of model.graph.outputs) o.shape = shapes.get(o.name)?.shape;
  return { dynamic: true };
}

/**
 * Rewrites pre-opset-17 attribute forms (axes/split/pads/min/max as attributes, Dropout, old
 * BatchNormalization and Softmax) so the graph is valid at opset 17, which the backward ops need
 * (ScatterElements reduction='add' is opset 16+). Forward semantics are kept.
 */
export function upgradeOpset(model: Model, target = 17): Model {
  const from = defaultOpset(model);
  if (from >= target) return model;
  const m = cloneModel(model);
  const g = m.graph;
  let k = 0;
  const constI = (vals: number[]) => {
    const name = `opset_up/${k++}`;
    g.initializers.set(name, int64Tensor(name, [vals.length], vals));
    return name;
  };
  const constF = (v: number) => {
    const name = `opset_up/${k++}`;
    g.initializers.set(name, floatTensor(name, [], [v]));
    return name;
  };
  const shapes = inferShapes(model);
  const extra: Node[] = [];
  for (const n of g.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    delete n.attrs.consumed_inputs;
    const axes = attrInts(n, 'axes');
    if (from < 13 && (n.opType === 'Squeeze' || n.opType === 'Unsqueeze' || n.opType === 'ReduceSum') && axes) {
      n.inputs = [n.inputs[0], constI(axes)];
      delete n.attrs.axes;
    }
    if (from < 13 && n.opType === 'Split' && attrInts(n, 'split')) {
      n.inputs = [n.inputs[0], constI(attrInts(n, 'split')!)];
      delete n.attrs.split;
    }
    if (from < 11 && n.opType === 'Clip') {
      n.inputs = [n.inputs[0], n.attrs.min ? constF(attrFloat(n, 'min', 0)) : '', n.attrs.max ? constF(attrFloat(n, 'max', 0)) : ''];
      delete n.attrs.min;
      delete n.attrs.max;
    }
    if (from < 11 && n.opType === 'Pad' && attrInts(n, 'pads')) {
      n.inputs = [n.inputs[0], constI(attrInts(n, 'pads')!), constF(attrFloat(n, 'value', 0))];
      delete n.attrs.pads;
      delete n.attrs.value;
    }
    if (from < 10 && n.opType === 'Slice' && attrInts(n, 'starts')) {
      const st = attrInts(n, 'starts')!;
      n.inputs = [n.inputs[0], constI(st), constI(attrInts(n, 'ends')!), constI(attrInts(n, 'axes') ?? st.map((_, i) => i))];
      delete n.attrs.starts;
      delete n.attrs.ends;
      delete n.attrs.axes;
    }
    if (n.opType === 'Dropout') {
      n.opType = 'Identity';
      n.attrs = {};
      n.inputs = [n.inputs[0]];
      n.outputs = [n.outputs[0]];
    }
    if (n.opType === 'BatchNormalization') {
      delete n.attrs.spatial;
      delete n.attrs.is_test;
      n.outputs = [n.outputs[0]];
    }
    if (from < 13 && (n.opType === 'Softmax' || n.opType === 'LogSoftmax')) {
      const rank = shapes.get(n.inputs[0])?.shape.length ?? 2;
      const axis = attrInt(n, 'axis', 1);
      const ax = axis < 0 ? axis + rank : axis;
      if (ax === rank - 1) n.attrs.axis = aInt(-1);
      else {
        // Old semantics: flatten to 2-D at axis, softmax over the second dim, reshape back.
        const flat = `${n.outputs[0]}__flat`;
        const sm = `${n.outputs[0]}__sm`;
        const shp = `${n.outputs[0]}__shape`;
        extra.push(
          { name: `${n.name}__flatten`, opType: 'Flatten', domain: '', inputs: [n.inputs[0]], outputs: [flat], attrs: { axis: aInt(ax) } },
          { name: `${n.name}__shape`, opType: 'Shape', domain: '', inputs: [n.inputs[0]], outputs: [shp], attrs: {} },
          { name: `${n.name}__reshape`, opType: 'Reshape', domain: '', inputs: [sm, shp], outputs: [n.outputs[0]], attrs: {} },
        );
        n.inputs = [flat];
        n.outputs = [sm];
        n.attrs = { axis: aInt(1) };
      }
    }
  }
  g.nodes.push(...extra);
  setDefaultOpset(m, target);
  if (m.irVersion < 8) m.irVersion = 8;
  return m;
}
