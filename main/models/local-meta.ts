// ModelMeta for a local .onnx file (imported or found in a model folder) from what we know about it:
// its sidecar first, then what inspecting the graph found, then safe defaults.
import path from 'node:path';
import type { ModelMeta } from '../api/contract';
import { defaultPreprocessing, labelsForClassCount, type InspectedModel } from './inspect';
import type { SidecarInfo } from './sidecar';

const FAMILIES: [RegExp, string][] = [
  [/mobilenet/i, 'MobileNet'],
  [/efficientnet/i, 'EfficientNet'],
  [/resnext/i, 'ResNeXt'],
  [/resnet/i, 'ResNet'],
  [/darknet/i, 'Darknet'],
  [/vgg/i, 'VGG'],
  [/squeezenet/i, 'SqueezeNet'],
  [/densenet/i, 'DenseNet'],
  [/shufflenet/i, 'ShuffleNet'],
  [/inception|googlenet/i, 'Inception'],
  [/alexnet|caffenet/i, 'AlexNet'],
];

export function guessFamily(name: string): string {
  return FAMILIES.find(([re]) => re.test(name))?.[1] ?? 'Custom';
}

export interface LocalMetaInput {
  id: string;
  /** Display name when there is no sidecar name (an import's original file name); defaults to the file stem. */
  name?: string;
  file: string;
  source: ModelMeta['source'];
  inspected?: InspectedModel | null;
  sidecar?: SidecarInfo | null;
  sha256?: string;
  sizeBytes?: number;
}

export function buildLocalMeta({ id, name: givenName, file, source, inspected, sidecar, sha256, sizeBytes }: LocalMetaInput): ModelMeta {
  const stem = path.basename(file).replace(/\.onnx$/i, '');
  const name = sidecar?.name ?? givenName ?? stem;
  const numClasses = sidecar?.numClasses ?? inspected?.numClasses ?? 0;
  const layout = inspected?.layout ?? 'NCHW';
  const inputSize = sidecar?.inputSize ?? inspected?.inputSize ?? [224, 224];
  const notes = [
    sidecar?.description,
    !sidecar && !inspected ? 'Metadata guessed (no sidecar JSON); check preprocessing and labels.' : undefined,
    !sidecar && inspected ? 'Preprocessing is the ImageNet default (not stored in the graph); edit it if results look wrong.' : undefined,
    sidecar?.labels === 'none' && sidecar.labelsFileAsWritten
      ? `Labels file ${sidecar.labelsFileAsWritten} not found inside the model's folder; showing class numbers.`
      : undefined,
  ].filter(Boolean);
  return {
    id,
    name,
    family: guessFamily(`${name} ${stem}`),
    source,
    status: 'available',
    path: file,
    ...((sha256 ?? sidecar?.sha256) && { sha256: sha256 ?? sidecar?.sha256 }),
    ...(sizeBytes !== undefined && { sizeBytes }),
    ...(sidecar?.license && { license: sidecar.license }),
    inputName: sidecar?.inputName ?? inspected?.inputName,
    outputName: sidecar?.outputName ?? inspected?.outputName,
    inputSize,
    numClasses,
    outputIsProbabilities: sidecar?.outputIsProbabilities ?? inspected?.outputIsProbabilities ?? false,
    preprocessing: sidecar?.preprocessing ?? inspected?.preprocessing ?? defaultPreprocessing(layout, Math.max(...inputSize)),
    labels: sidecar?.labels ?? inspected?.labels ?? labelsForClassCount(numClasses === 0 ? 1000 : numClasses),
    labelOffset: sidecar?.labelOffset ?? 0,
    ...(notes.length && { notes: notes.join(' ') }),
  };
}
