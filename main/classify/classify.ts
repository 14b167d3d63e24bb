// Classification as four steps (prepare -> preprocess -> infer -> postprocess), each its own function,
// so the CLI, the engine handlers and the benchmarks run exactly the same path.
import * as ort from 'onnxruntime-node';
import type { ClassifyResult, ModelMeta, TopClass } from '../api/contract';
import { StudioError } from '../api/contract';
import { decodeImage } from '../image/decode';
import { pixelsToTensor, resizeForModel } from '../image/preprocess';
import type { SessionCache } from '../runtime/sessions';
import { firstLine } from '../runtime/sessions';
import { softmax, topK } from './postprocess';

export interface PreparedModel {
  meta: ModelMeta;
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  labels: string[];
  /** Largest batch the graph accepts in one run (1 when the batch dimension is fixed). */
  maxBatch: number;
}

export async function prepareModel(meta: ModelMeta, sessions: SessionCache, labels: string[]): Promise<PreparedModel> {
  if (!meta.path || meta.status !== 'available') {
    throw new StudioError(
      'model_missing',
      `${meta.name} is not on disk yet: download it from the Models panel or with \`vision-studio models pull ${meta.id}\`.`,
    );
  }
  const session = await sessions.get(meta.path, meta.name);
  const inputName = meta.inputName && session.inputNames.includes(meta.inputName) ? meta.inputName : session.inputNames[0];
  const outputName = meta.outputName && session.outputNames.includes(meta.outputName) ? meta.outputName : session.outputNames[0];
  const inputMeta = session.inputMetadata.find((m) => m.name === inputName);
  const batchDim = inputMeta && inputMeta.isTensor ? inputMeta.shape[0] : 1;
  const maxBatch = typeof batchDim === 'number' && batchDim > 0 ? 1 : 8;
  return { meta, session, inputName, outputName, labels, maxBatch };
}

export interface PreprocessedImage {
  name: string;
  tensor: Float32Array;
  width: number;
  height: number;
}

export async function preprocessImage(name: string, bytes: Uint8Array, meta: ModelMeta): Promise<PreprocessedImage> {
  const decoded = await decodeImage(name, bytes);
  const px = await resizeForModel(decoded.image, decoded.width, decoded.height, meta.preprocessing, meta.inputSize);
  return { name, tensor: pixelsToTensor(px, meta.preprocessing), width: decoded.width, height: decoded.height };
}

/** Runs one batch; returns one score vector per image. */
export async function infer(model: PreparedModel, tensors: Float32Array[]): Promise<Float32Array[]> {
  const [h, w] = model.meta.inputSize;
  const per = 3 * h * w;
  const batch = new Float32Array(per * tensors.length);
  tensors.forEach((t, i) => batch.set(t, i * per));
  const dims = model.meta.preprocessing.layout === 'NCHW' ? [tensors.length, 3, h, w] : [tensors.length, h, w, 3];
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await model.session.run({ [model.inputName]: new ort.Tensor('float32', batch, dims) }, [model.outputName]);
  } catch (e) {
    throw new StudioError('bad_model', `${model.meta.name}: inference failed (${firstLine(e)}).`);
  }
  const scores = out[model.outputName].data as Float32Array;
  const n = scores.length / tensors.length;
  return tensors.map((_, i) => scores.subarray(i * n, (i + 1) * n));
}

export function postprocess(model: PreparedModel, scores: Float32Array, k: number): TopClass[] {
  const probs = model.meta.outputIsProbabilities ? scores : softmax(scores);
  return topK(probs, k).map(({ index, value }) => ({
    index,
    label: model.labels[index + model.meta.labelOffset] ?? `class ${index}`,
    probability: value,
  }));
}

/** Drop-to-top-k for one image. */
export async function classifyOne(model: PreparedModel, name: string, bytes: Uint8Array, k: number): Promise<ClassifyResult> {
  const t0 = performance.now();
  const pre = await preprocessImage(name, bytes, model.meta);
  const [scores] = await infer(model, [pre.tensor]);
  const top = postprocess(model, scores, k);
  return { file: name, model: model.meta.id, top, ms: round(performance.now() - t0), width: pre.width, height: pre.height };
}

export interface ImageSource {
  name: string;
  load: () => Promise<Uint8Array>;
}

/**
 * Many images: decoding and preprocessing of the next batch overlaps inference of the current one
 * (sharp works on libuv threads while ORT runs), and images are batched where the graph allows.
 * A bad file becomes an entry with `error`; the others still complete.
 */
export async function classifyMany(
  model: PreparedModel,
  sources: ImageSource[],
  k: number,
  hooks: { onItem?: (index: number, r: ClassifyResult) => void; shouldStop?: () => boolean } = {},
): Promise<ClassifyResult[]> {
  const results: ClassifyResult[] = new Array(sources.length);
  const batchSize = Math.min(model.maxBatch, 4);
  const loadBatch = (start: number) =>
    Promise.all(
      sources.slice(start, start + batchSize).map(async (src) => {
        const t0 = performance.now();
        try {
          return { pre: await preprocessImage(src.name, await src.load(), model.meta), t0 };
        } catch (e) {
          return { error: e instanceof Error ? e.message : String(e), name: src.name, t0 };
        }
      }),
    );
  let next = sources.length ? loadBatch(0) : null;
  for (let start = 0; start < sources.length; start += batchSize) {
    if (hooks.shouldStop?.()) break;
    const loaded = await next!;
    next = start + batchSize < sources.length ? loadBatch(start + batchSize) : null;
    const ok = loaded.filter((l): l is { pre: PreprocessedImage; t0: number } => 'pre' in l && l.pre !== undefined);
    const scores = ok.length
      ? await infer(
          model,
          ok.map((l) => l.pre.tensor),
        )
      : [];
    let j = 0;
    loaded.forEach((l, i) => {
      const index = start + i;
      const ms = round(performance.now() - l.t0);
      let r: ClassifyResult;
      if ('pre' in l && l.pre) {
        r = {
          file: sources[index].name,
          model: model.meta.id,
          top: postprocess(model, scores[j++], k),
          ms,
          width: l.pre.width,
          height: l.pre.height,
        };
      } else {
        r = { file: sources[index].name, model: model.meta.id, error: (l as { error: string }).error, ms };
      }
      results[index] = r;
      hooks.onItem?.(index, r);
    });
  }
  return results.filter(Boolean);
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
