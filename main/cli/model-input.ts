// For `grad` and `layers`: --model takes a catalog id, an imported or builtin id, or a path (sidecar honoured),
// like every other command; --image is preprocessed exactly as classification does it (the model's metadata),
// or a float32 NCHW .npy used as the model input as is.
import type { ModelMeta } from '../api/contract';
import { StudioError } from '../api/contract';
import { decodeImage } from '../image/decode';
import { pixelsToTensor, resizeForModel } from '../image/preprocess';
import { ModelRegistry } from '../models/registry';
import { decodeNpy } from '../util/npy';
import { UsageError } from './io';
import { readImageFile } from '../image/read-file';

export async function resolveModelArg(idOrPath: string): Promise<ModelMeta & { path: string }> {
  const meta = await new ModelRegistry().resolveAsync(idOrPath);
  if (!meta.path || meta.status !== 'available') {
    throw new StudioError('model_missing', `${meta.name} is not on disk: run \`vision-studio models pull ${meta.id}\` first.`);
  }
  return meta as ModelMeta & { path: string };
}

export interface ModelInput {
  data: Float32Array;
  dims: number[];
}

/** `size` overrides the model's input size (N x N); crop recipes keep their resize-to-crop ratio (256/224). */
export async function loadModelInput(file: string, meta: ModelMeta, size?: number): Promise<ModelInput> {
  const bytes = await readImageFile(file);
  if (file.toLowerCase().endsWith('.npy')) {
    const { data, shape } = decodeNpy(bytes, file);
    if (shape.length !== 4) throw new StudioError('bad_request', `${file}: expected an NCHW array, got shape (${shape.join(', ')})`);
    return { data, dims: shape };
  }
  const [h, w] = size ? [size, size] : meta.inputSize;
  const pre = { ...meta.preprocessing };
  if (size && pre.resizeTo) pre.resizeTo = Math.round((pre.resizeTo * size) / meta.inputSize[0]);
  const decoded = await decodeImage(file, bytes);
  const px = await resizeForModel(decoded.image, decoded.width, decoded.height, pre, [h, w]);
  const data = pixelsToTensor(px, pre);
  return { data, dims: pre.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3] };
}

/** The bytes of a file named on the command line, or a 'not_found' error naming it (exit 1). */
export function readInputFile(file: string): Promise<Uint8Array> {
  return readImageFile(file);
}

/** --model ID|PATH, or the first model on disk when the flag is absent. */
export async function resolveCliModel(models: ModelRegistry, flag: string | undefined): Promise<ModelMeta> {
  const id = flag ?? models.defaultModelId();
  if (!id) throw new UsageError('--model ID|PATH is required (no model on disk)');
  return models.resolveAsync(id);
}
