// Readable layer names for any CNN, with shape, receptive field and a suggested role per layer.
// Plain conv stacks are counted the VGG way (conv{block}_{i}, relu{block}_{i}, pool{block}; a pool or
// a strided conv starts the next block); residual nets name the last tensor of each resolution
// (layer1…layer4 for four residual stages, else stage{n}; Concat-joined nets like Inception get
// stage{n} too); everything else keeps its tensor name.
import { attrInts, cloneModel, realInputs, type Dim, type Model, type Node } from './ir.js';
import { inferShapes } from './shapes.js';
import { topoSort } from './validate.js';

export type LayerRole = 'style' | 'content' | 'dream' | 'cam' | 'logits';

export interface LayerInfo {
  /** Readable name (conv3_2, relu4_1, layer3, stage2, or the tensor name). */
  name: string;
  tensor: string;
  op: string;
  /** Shape at the model's native input size (batch 1). */
  shape: Dim[];
  /** Receptive field in input pixels (square kernels assumed per axis: we report the H axis). */
  receptiveField: number;
  /** Input pixels between neighbouring output positions. */
  stride: number;
  roles: LayerRole[];
}

const ACT = new Set(['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'Elu', 'HardSigmoid', 'Softplus']);
const POOL = new Set(['MaxPool', 'AveragePool']);
const JOIN = new Set(['Add', 'Sum', 'Concat']);

export function listLayers(model: Model, nativeSize?: [number, number]): LayerInfo[] {
  const m = cloneModel(model);
  const inp = realInputs(m.graph)[0];
  const [H, W] = nativeSize ?? [
    typeof inp.shape?.[2] === 'number' ? inp.shape[2] : 224,
    typeof inp.shape?.[3] === 'number' ? inp.shape[3] : 224,
  ];
  if (inp.shape && inp.shape.length === 4) inp.shape = [1, inp.shape[1], H, W];
  m.graph.valueInfo.clear();
  const shapes = inferShapes(m);
  const order = topoSort(m.graph);

  // Receptive field and jump along H (1-D bookkeeping; most CNNs are square).
  const rf = new Map<string, { rf: number; jump: number }>([[inp.name, { rf: 1, jump: 1 }]]);
  for (const n of order) {
    const prev = n.inputs.map((i) => rf.get(i)).filter((v): v is { rf: number; jump: number } => !!v);
    if (prev.length === 0) continue;
    const base = { rf: Math.max(...prev.map((p) => p.rf)), jump: Math.max(...prev.map((p) => p.jump)) };
    let out = base;
    if (n.opType === 'Conv' || POOL.has(n.opType)) {
      const k = attrInts(n, 'kernel_shape')?.[0] ?? (shapes.get(n.inputs[1])?.shape[2] as number) ?? 1;
      const s = attrInts(n, 'strides')?.[0] ?? 1;
      const d = attrInts(n, 'dilations')?.[0] ?? 1;
      out = { rf: base.rf + (k - 1) * d * base.jump, jump: base.jump * s };
    } else if (n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool' || n.opType === 'Gemm' || n.opType === 'MatMul') {
      out = { rf: Math.max(H, W), jump: base.jump };
    }
    for (const o of n.outputs) if (o) rf.set(o, out);
  }

  // Branches join at Add/Sum (residual) or Concat (Inception, DenseNet, ShuffleNet): not a plain stack.
  const joins = order.filter((n) => JOIN.has(n.opType) && n.inputs.filter((i) => rf.has(i)).length >= 2);
  const residual = joins.length > 0;
  const names = residual
    ? stageNames(
        order,
        shapes,
        new Set(joins),
        joins.every((n) => n.opType !== 'Concat'),
      )
    : plainNames(order, shapes);
  const spatial = (t: string) => (shapes.get(t)?.shape.length ?? 0) === 4;
  const candidates = order.filter((n) => n.outputs[0] && rf.has(n.outputs[0]) && n.opType !== 'Shape' && n.opType !== 'Constant');
  // The last spatial tensor before a global pool / flatten is the CAM target.
  const lastSpatial = [...candidates].reverse().find((n) => spatial(n.outputs[0]) && (shapes.get(n.outputs[0])!.shape[2] as number) > 1);
  const outputs = new Set(m.graph.outputs.map((o) => o.name));
  // Residual nets: the second-to-last stage output is the usual content layer (ResNet's layer3, like VGG's conv4).
  const stageList = [...names.values()].filter((v) => /^(layer|stage)\d+$/.test(v));
  const contentStage = stageList.length >= 2 ? stageList[stageList.length - 2] : undefined;
  const acts = candidates.filter((n) => spatial(n.outputs[0]) && (ACT.has(n.opType) || JOIN.has(n.opType)));

  return candidates.map((n) => {
    const t = n.outputs[0];
    const roles: LayerRole[] = [];
    const name = names.get(t) ?? t;
    if (outputs.has(t)) roles.push('logits');
    if (lastSpatial && t === lastSpatial.outputs[0]) roles.push('cam');
    const ai = acts.indexOf(n);
    if (ai >= 0) {
      const depth = (ai + 1) / acts.length;
      if (!residual && /^relu\d+_1$/.test(name)) roles.push('style');
      if (residual && /^(layer|stage)\d+$/.test(name) && depth < 0.9) roles.push('style');
      if (!residual ? /^relu4_2$/.test(name) : name === contentStage) roles.push('content');
      if (depth >= 0.3 && depth <= 0.85) roles.push('dream');
    }
    const r = rf.get(t)!;
    return { name, tensor: t, op: n.opType, shape: shapes.get(t)?.shape ?? [], receptiveField: r.rf, stride: r.jump, roles };
  });
}

function plainNames(order: Node[], shapes: Map<string, { shape: Dim[] }>): Map<string, string> {
  const names = new Map<string, string>();
  let block = 1;
  let i = 0;
  let afterConv = false;
  for (const n of order) {
    const t = n.outputs[0];
    if (!t) continue;
    if (n.opType === 'Conv') {
      const s = attrInts(n, 'strides') ?? [1];
      const rank = shapes.get(t)?.shape.length ?? 0;
      if (rank === 4 && (shapes.get(t)!.shape[2] === 1 || (shapes.get(t)!.shape[3] as number) === 1)) {
        names.set(t, `fc_conv${block}`);
        continue;
      }
      if (s.some((v) => v > 1) && i > 0) {
        block++;
        i = 0;
      }
      i++;
      names.set(t, `conv${block}_${i}`);
      afterConv = true;
    } else if (n.opType === 'BatchNormalization' && afterConv) names.set(t, `bn${block}_${i}`);
    else if (ACT.has(n.opType) && afterConv) {
      names.set(t, `relu${block}_${i}`);
      afterConv = false;
    } else if (POOL.has(n.opType)) {
      names.set(t, `pool${block}`);
      block++;
      i = 0;
    } else if (n.opType === 'GlobalAveragePool' || n.opType === 'GlobalMaxPool') names.set(t, 'gap');
  }
  return names;
}

function stageNames(order: Node[], shapes: Map<string, { shape: Dim[] }>, joins: Set<Node>, addOnly: boolean): Map<string, string> {
  // Last tensor of each resolution that has residual Adds: its block output (the Add, or the act after it).
  const stages: { size: Dim; last: string }[] = [];
  const producer = new Map<string, Node>();
  for (const n of order) for (const o of n.outputs) producer.set(o, n);
  for (const n of order) {
    const t = n.outputs[0];
    const s = shapes.get(t)?.shape;
    if (!s || s.length !== 4) continue;
    const from = producer.get(n.inputs[0]);
    const isBlockOut = joins.has(n) || (ACT.has(n.opType) && !!from && joins.has(from));
    if (!isBlockOut) continue;
    const cur = stages[stages.length - 1];
    if (cur && cur.size === s[2]) cur.last = t;
    else stages.push({ size: s[2], last: t });
  }
  // torchvision's ResNet naming (layer1…layer4) where it fits; stage{n} otherwise.
  const prefix = addOnly && stages.length === 4 ? 'layer' : 'stage';
  return new Map(stages.map((s, i) => [s.last, `${prefix}${i + 1}`]));
}

/** Finds a tensor by readable name or tensor name. */
export function resolveLayer(layers: LayerInfo[], name: string): LayerInfo | undefined {
  return layers.find((l) => l.name === name) ?? layers.find((l) => l.tensor === name);
}
