// Which layers the explorer shows: the spatial feature maps of `listLayers` (the naming every tool shares), in
// network order. 'main' drops the tensors a layer only passes on to its own normalisation or nonlinearity (a conv
// read by nothing but its BN or ReLU, a BN read by nothing but its ReLU): they are the same map before the
// squashing, and they double the planes on VGG and Darknet. 'all' keeps every spatial tensor. Token sequences and
// channels-last maps count by their map view's [N, C, H, W] (forward.ts rearranges their values to match).
import type { ActivationsLayerSet } from '../api/contract';
import type { Model } from '../onnx/ir';
import { listLayers, type LayerInfo } from '../onnx/layers';
import { GraphIndex } from '../techniques/shared/graph-index';

const PASS_ON = new Set([
  'BatchNormalization',
  'Relu',
  'LeakyRelu',
  'Clip',
  'Sigmoid',
  'Tanh',
  'Elu',
  'HardSigmoid',
  'Softplus',
  'PRelu',
  'Selu',
]);

export interface ExplorerLayer extends LayerInfo {
  channels: number;
  height: number;
  width: number;
}

/** A layer's feature-map shape: its own when NCHW, its map view's for tokens and channels-last tensors. */
const mapShape = (l: LayerInfo) => l.view?.shape ?? l.shape;

/** A feature map worth a plane: [N, C, H, W] with a known channel count and more than one position. */
function spatial(l: LayerInfo): boolean {
  const s = mapShape(l);
  const [, c, h, w] = s;
  return s.length === 4 && typeof c === 'number' && c > 0 && (typeof h !== 'number' || typeof w !== 'number' || h * w > 1);
}

export function explorerLayers(model: Model, inputSize: [number, number], set: ActivationsLayerSet): ExplorerLayer[] {
  const index = new GraphIndex(model.graph);
  const outputs = new Set(model.graph.outputs.map((o) => o.name));
  const passedOn = (tensor: string): boolean => {
    if (outputs.has(tensor)) return false;
    const readers = index.consumers.get(tensor) ?? [];
    return readers.length > 0 && readers.every((n) => PASS_ON.has(n.opType) && index.dataInput(n) === tensor);
  };
  return listLayers(model, inputSize)
    .filter(spatial)
    .filter((l) => set === 'all' || !passedOn(l.tensor))
    .map((l) => {
      const [, c, h, w] = mapShape(l);
      return { ...l, channels: c as number, height: typeof h === 'number' ? h : 0, width: typeof w === 'number' ? w : 0 };
    });
}
