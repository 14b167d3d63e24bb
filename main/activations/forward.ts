// One forward pass of a photo through the exposed model, preprocessed exactly as Classify does
// (decodeImage → resizeForModel → pixelsToTensor). The last pass is kept, so opening a channel after
// exploring needs no second run.
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { StudioError, type ActivationsLayerSet, type ModelMeta } from '../api/contract';
import { decodeImage } from '../image/decode';
import { pixelsToTensor, resizeForModel } from '../image/preprocess';
import { firstLine } from '../runtime/sessions';
import { exposedModel, fileVersion } from './session';
import type { ExplorerLayer } from './layers';
import { asPlanes } from './map-layout';

export interface LayerMap {
  layer: ExplorerLayer;
  data: Float32Array;
  /** From the run: [1, C, H, W]. */
  channels: number;
  height: number;
  width: number;
}

export interface ForwardPass {
  id: string;
  set: ActivationsLayerSet;
  maps: LayerMap[];
  photo: { width: number; height: number };
  ms: { session: number; forward: number };
}

let last: ForwardPass | null = null;

export const photoId = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

export function modelWithPath(meta: ModelMeta): ModelMeta & { path: string } {
  if (!meta.path || meta.status !== 'available')
    throw new StudioError('model_missing', `${meta.name} is not on disk yet: download it from the Models panel.`);
  if (meta.preprocessing.layout !== 'NCHW')
    throw new StudioError('bad_model', `${meta.name}: the activation explorer needs an NCHW model.`);
  return meta as ModelMeta & { path: string };
}

const passId = (meta: ModelMeta & { path: string }, bytes: Uint8Array, set: ActivationsLayerSet) =>
  `${photoId(bytes)}|${fileVersion(meta.path)}|${JSON.stringify(meta.preprocessing)}|${meta.inputSize.join('x')}|${set}`;

/** The kept pass for this photo and model holding `tensor`, if any. */
export function keptPass(meta: ModelMeta & { path: string }, bytes: Uint8Array, tensor: string): ForwardPass | null {
  if (!last) return null;
  if (last.id !== passId(meta, bytes, last.set)) return null;
  return last.maps.some((m) => m.layer.tensor === tensor) ? last : null;
}

export async function forwardPass(
  meta: ModelMeta & { path: string },
  file: string,
  bytes: Uint8Array,
  set: ActivationsLayerSet,
  progress: (fraction: number, message: string) => void = () => {},
  throwIfCancelled: () => void = () => {},
): Promise<ForwardPass> {
  const id = passId(meta, bytes, set);
  if (last?.id === id) return { ...last, ms: { session: 0, forward: 0 } };
  const decoded = await decodeImage(file, bytes);
  const px = await resizeForModel(decoded.image, decoded.width, decoded.height, meta.preprocessing, meta.inputSize);
  const input = pixelsToTensor(px, meta.preprocessing);
  throwIfCancelled();
  progress(0.05, `Preparing ${meta.name} with its layers exposed`);
  let t = performance.now();
  const { model } = await exposedModel(meta.path, meta.name, meta.inputSize, set);
  const sessionMs = performance.now() - t;
  throwIfCancelled();
  progress(0.35, `Running ${meta.name} on ${file}`);
  t = performance.now();
  const [h, w] = meta.inputSize;
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await model.session.run(
      { [model.inputName]: new ort.Tensor('float32', input, [1, 3, h, w]) },
      model.layers.map((l) => l.tensor),
    );
  } catch (e) {
    throw new StudioError('bad_model', `${meta.name}: the forward pass failed (${firstLine(e)})`);
  }
  const forwardMs = performance.now() - t;
  const maps: LayerMap[] = model.layers.map((layer) => {
    const v = out[layer.tensor];
    return { layer, ...asPlanes(layer.view, v.data as Float32Array, v.dims) };
  });
  last = null; // drop the old maps before keeping new ones (VGG's are ~100 MB)
  last = { id, set, maps, photo: { width: decoded.width, height: decoded.height }, ms: { session: sessionMs, forward: forwardMs } };
  return last;
}

/** Forgets the kept pass (tests, memory). */
export function forgetPass(): void {
  last = null;
}
