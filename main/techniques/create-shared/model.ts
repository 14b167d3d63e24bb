// A model as the create tools see it: its IR (optionally with MaxPool→AveragePool), its preprocessing,
// its readable layers and the default layers per tool, chosen from the roles the layer listing suggests.
import type { ModelMeta, Preprocessing } from '../../api/contract';
import { StudioError } from '../../api/contract';
import { cloneModel, type Model } from '../../onnx/ir';
import { listLayers, resolveLayer, type LayerInfo } from '../../onnx/layers';
import { maxPoolToAverage } from '../../onnx/surgery';
import { modelIR } from '../shared/graph-index';
import { modelSha256 } from '../shared/provenance';

export interface CreateModel {
  meta: ModelMeta;
  file: string;
  ir: Model;
  pre: Preprocessing;
  layers: LayerInfo[];
  sha256: string;
  avgPool: boolean;
}

const cache = new Map<string, { base: Model; cm: CreateModel }>();

export function createModel(meta: ModelMeta, opts: { avgPool?: boolean } = {}): CreateModel {
  if (!meta.path) throw new StudioError('model_missing', `${meta.name} is not on disk: download it in the Models panel first.`);
  if (meta.preprocessing.layout !== 'NCHW') throw new StudioError('bad_model', `${meta.name}: the create tools need an NCHW model.`);
  const avgPool = !!opts.avgPool;
  const { model } = modelIR(meta.path);
  const key = `${meta.path}|${avgPool}`;
  const hit = cache.get(key);
  // The IR cache reloads a changed file: the identity of its model tells whether ours is current.
  if (hit && hit.base === model && hit.cm.meta.id === meta.id) return hit.cm;
  let ir = model;
  if (avgPool) {
    ir = cloneModel(model);
    maxPoolToAverage(ir);
  }
  const cm: CreateModel = {
    meta,
    file: meta.path,
    ir,
    pre: meta.preprocessing,
    layers: listLayers(model, meta.inputSize),
    sha256: modelSha256(meta),
    avgPool,
  };
  cache.set(key, { base: model, cm });
  if (cache.size > 8) cache.delete(cache.keys().next().value as string);
  return cm;
}

/** Readable name or tensor name → layer; the error lists what exists. */
export function layer(cm: CreateModel, name: string): LayerInfo {
  const l = resolveLayer(cm.layers, name);
  if (!l) {
    const some = cm.layers
      .filter((x) => x.roles.length > 0)
      .map((x) => x.name)
      .slice(0, 12)
      .join(', ');
    throw new StudioError('bad_request', `${cm.meta.name} has no layer "${name}" (try: ${some})`);
  }
  if (l.shape.length !== 4) throw new StudioError('bad_request', `${name} is not a spatial feature map (shape ${l.shape.join('×')})`);
  return l;
}

const byRole = (cm: CreateModel, role: 'style' | 'content' | 'dream') => cm.layers.filter((l) => l.roles.includes(role));
const channels = (l: LayerInfo) => (typeof l.shape[1] === 'number' ? l.shape[1] : 0);

/** Gatys 2016: content relu4_2 (or the model's suggested content layer). */
export function defaultContentLayer(cm: CreateModel): string {
  const c = byRole(cm, 'content')[0] ?? byRole(cm, 'dream')[0];
  if (!c) throw new StudioError('bad_model', `${cm.meta.name}: no feature layer to use as content`);
  return c.name;
}

/** Gatys 2016: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (or the suggested style layers). */
export function defaultStyleLayers(cm: CreateModel): string[] {
  const s = byRole(cm, 'style').map((l) => l.name);
  if (s.length === 0) throw new StudioError('bad_model', `${cm.meta.name}: no feature layers to take style from`);
  return s;
}

/** Gatys 2015 textures: conv1_1 and pool1…pool4 where the model has them, else the style layers. */
export function defaultTextureLayers(cm: CreateModel): string[] {
  const names = ['conv1_1', 'pool1', 'pool2', 'pool3', 'pool4'].filter((n) => cm.layers.some((l) => l.name === n));
  return names.length >= 3 ? names : defaultStyleLayers(cm);
}

/** DeepDream: a wide layer in the middle-to-deep range (google/deepdream used inception_4c). */
export function defaultDreamLayer(cm: CreateModel): string {
  const d = byRole(cm, 'dream');
  if (d.length === 0) return defaultContentLayer(cm);
  const sorted = [...d].map(channels).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const wide = d.filter((l) => channels(l) >= median);
  return wide[Math.floor(wide.length / 2)].name;
}

/** Inversion strip: the style layers shallow→deep, plus the content layer, in graph order. */
export function defaultInversionLayers(cm: CreateModel): string[] {
  const want = new Set([...defaultStyleLayers(cm), defaultContentLayer(cm)]);
  return cm.layers.filter((l) => want.has(l.name)).map((l) => l.name);
}

/** The largest stride among the layers: image sides are rounded to a multiple of it (capped at 32). */
export function sizeMultiple(cm: CreateModel, names: string[]): number {
  const s = Math.max(1, ...names.map((n) => layer(cm, n).stride));
  return Math.min(32, s);
}
