// Readable layer names for any CNN, with shape, receptive field and a suggested role per layer.
// Plain conv stacks are counted the VGG way (conv{block}_{i}, relu{block}_{i}, pool{block}; a pool or
// a strided conv starts the next block); residual nets name the last tensor of each resolution
// (layer1…layer4 for four residual stages, else stage{n}; Concat-joined nets like Inception get
// stage{n} too); everything else keeps its tensor name. Token sequences (ViT) and channels-last maps (Swin,
// ConvNeXt's blocks) are feature maps too, through their NCHW view (map-view.ts).
import { attrInts, cloneModel, realInputs, tensorNumbers, type Dim, type Model, type Node } from './ir.js';
import { addMapView, isMap, layouts, mapTensor, mapViews, type MapView } from './map-view.js';
import { constantTensors, inferShapes, type ShapeMap } from './shapes.js';
import { topoSort } from './validate.js';
import { receptiveFields } from './arch/receptive-field.js';

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
  /** Effective padding: input pixels the first output position's window starts before pixel 0. */
  padding: number;
  roles: LayerRole[];
  /** How a tensor that is not NCHW (tokens, channels last) is seen as a feature map [N, C, H, W]. */
  view?: MapView;
}

const ACT = new Set(['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'Elu', 'HardSigmoid', 'Softplus']);
const POOL = new Set(['MaxPool', 'AveragePool']);
const JOIN = new Set(['Add', 'Sum', 'Concat']);

export function listLayers(model: Model, nativeSize?: [number, number]): LayerInfo[] {
  const { model: m, size } = withInputSize(model, nativeSize);
  const shapes = inferShapes(m);
  return analyseLayers(m, shapes, topoSort(m.graph), size);
}

/** A copy of the model whose first input is [1, C, H, W] (the input's own H and W, else 224, unless `size` is given). */
export function withInputSize(model: Model, size?: [number, number]): { model: Model; size: [number, number] } {
  const m = cloneModel(model);
  const inp = realInputs(m.graph)[0];
  const [H, W] = size ?? [typeof inp.shape?.[2] === 'number' ? inp.shape[2] : 224, typeof inp.shape?.[3] === 'number' ? inp.shape[3] : 224];
  if (inp.shape && inp.shape.length === 4) inp.shape = [1, inp.shape[1], H, W];
  m.graph.valueInfo.clear();
  return { model: m, size: [H, W] };
}

/**
 * Names, shapes, receptive fields and roles from shapes already inferred (`shapes` may lack tensors an op
 * shape inference does not cover: those layers get shape []).
 */
export function analyseLayers(m: Model, shapes: ShapeMap, order: Node[], size: [number, number]): LayerInfo[] {
  const inp = realInputs(m.graph)[0];
  const stored = constantTensors(m.graph);
  const rf = receptiveFields(order, shapes, inp.name, size, (t) => {
    const v = stored.get(t);
    return v ? tensorNumbers(v) : undefined;
  });

  const candidates = order.filter((n) => n.outputs[0] && rf.has(n.outputs[0]) && n.opType !== 'Shape' && n.opType !== 'Constant');
  const lay = layouts(order, shapes, inp.name);
  const views = mapViews(
    m,
    shapes,
    order,
    candidates.map((n) => n.outputs[0]),
    lay,
  );
  // A feature map: NCHW, or seen as NCHW through a view (not attention scores, not [N, T, C] of no patch grid).
  const mapShape = (t: string): Dim[] | undefined => (isMap(t, lay, views) ? (views.get(t)?.shape ?? shapes.get(t)?.shape) : undefined);
  // Branches join at Add/Sum (residual) or Concat (Inception, DenseNet, ShuffleNet): not a plain stack.
  const joins = order.filter((n) => JOIN.has(n.opType) && n.inputs.filter((i) => rf.has(i)).length >= 2);
  const residual = joins.length > 0;
  const names = residual
    ? stageNames(
        order,
        mapShape,
        new Set(joins),
        joins.every((n) => n.opType !== 'Concat'),
      )
    : plainNames(order, shapes);
  const spatial = (t: string) => (shapes.get(t)?.shape.length ?? 0) === 4;
  // The last spatial tensor before a global pool / flatten is the CAM target.
  const lastSpatial = [...candidates].reverse().find((n) => spatial(n.outputs[0]) && (shapes.get(n.outputs[0])!.shape[2] as number) > 1);
  const outputs = new Set(m.graph.outputs.map((o) => o.name));
  // Residual nets: the second-to-last stage output is the usual content layer (ResNet's layer3, like VGG's conv4).
  const stageList = [...names.values()].filter((v) => /^(layer|stage)\d+$/.test(v));
  const contentStage = stageList.length >= 2 ? stageList[stageList.length - 2] : undefined;
  const acts = candidates.filter((n) => mapShape(n.outputs[0]) && (ACT.has(n.opType) || JOIN.has(n.opType)));
  // Isotropic nets (ViT) keep one resolution throughout: no stages to take layers from. Style from five block
  // outputs spread over the first three quarters of the depth, content at two thirds (where VGG's relu1_1 …
  // relu5_1 and relu4_2 sit).
  const blocks =
    residual && stageList.length < 2
      ? joins
          .filter((n) => n.opType !== 'Concat')
          .map((n) => n.outputs[0])
          .filter((t) => mapShape(t))
      : [];
  const isoStyle = new Set(
    blocks.length >= 5 ? [0, 1, 2, 3, 4].map((k) => blocks[Math.round(((2 * k + 1) * blocks.length) / 12) - 1]) : [],
  );
  const isoContent = blocks.length >= 5 ? blocks[Math.round((2 * blocks.length) / 3) - 1] : undefined;

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
    if (isoStyle.has(t)) roles.push('style');
    if (t === isoContent) roles.push('content');
    const r = rf.get(t)!;
    return {
      name,
      tensor: t,
      op: n.opType,
      shape: shapes.get(t)?.shape ?? [],
      receptiveField: r.rf,
      stride: r.stride,
      padding: r.padding,
      roles,
      ...(views.has(t) ? { view: views.get(t) } : {}),
    };
  });
}

/**
 * The model with every layer view computed beside its tensor (as "map:<tensor>"), and the layers that have a
 * view read through it: what the create tools optimise and take Gram matrices of is then always NCHW.
 */
export function withMapViews(model: Model, layers: LayerInfo[]): { model: Model; layers: LayerInfo[] } {
  const viewed = layers.filter((l) => l.view);
  if (viewed.length === 0) return { model, layers };
  const m = cloneModel(model);
  for (const l of viewed) addMapView(m.graph, l.view!, mapTensor(l.tensor), `map${m.graph.nodes.length}`);
  return { model: m, layers: layers.map((l) => (l.view ? { ...l, tensor: mapTensor(l.tensor), shape: l.view.shape } : l)) };
}

function plainNames(order: Node[], shapes: ShapeMap): Map<string, string> {
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

function stageNames(order: Node[], mapShape: (t: string) => Dim[] | undefined, joins: Set<Node>, addOnly: boolean): Map<string, string> {
  // Last tensor of each resolution that has residual Adds: its block output (the Add, or the act after it).
  const stages: { size: Dim; last: string }[] = [];
  const producer = new Map<string, Node>();
  for (const n of order) for (const o of n.outputs) producer.set(o, n);
  for (const n of order) {
    const t = n.outputs[0];
    const s = mapShape(t);
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

/** Finds a tensor by readable name or tensor name (a view's own tensor too). */
export function resolveLayer(layers: LayerInfo[], name: string): LayerInfo | undefined {
  return layers.find((l) => l.name === name) ?? layers.find((l) => l.tensor === name || l.view?.tensor === name);
}
