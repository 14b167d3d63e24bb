// Embeddings of a folder of images under a pretrained base, computed once with ONNX Runtime and cached on
// disk by (model sha256, file sha256, augmentation), so a second training run on the same photos, or a run
// with other head settings, starts at once. A file that cannot be read or decoded is reported, never fatal.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError, type ModelMeta } from '../../api/contract';
import { decodeImage } from '../../image/decode';
import { pixelsToTensor, PREPROCESS_VERSION, resizeForModel, type ResizedPixels } from '../../image/preprocess';
import { encodeModel, loadModel } from '../../onnx/proto';
import { createTrainSession, type ProviderName } from '../../runtime/ort';
import { embeddingModel, findEmbedding, type EmbeddingInfo } from './embedding';

export interface EmbedOptions {
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  provider?: ProviderName;
  /** Variants per image (0: the plain image only); `augment(rgb, copy)` makes variant `copy` ≥ 1. */
  copies?: number;
  augment?: (px: ResizedPixels, copy: number) => ResizedPixels;
  /** Part of the cache key naming the augmentation (ids and seed). */
  augmentKey?: string;
  batch?: number;
}

export interface Embeddings {
  dim: number;
  info: EmbeddingInfo;
  /** [copies + 1][files] → vector (null where the file failed). */
  vectors: (Float32Array | null)[][];
  failed: { file: string; reason: string }[];
  cached: number;
}

const MAX_FILE = 64 * 1024 * 1024;

export async function computeEmbeddings(meta: ModelMeta, files: string[], opts: EmbedOptions): Promise<Embeddings> {
  if (!meta.path || meta.status !== 'available')
    throw new StudioError('model_missing', `${meta.name} is not on disk yet: download it from the Models panel first.`);
  const base = loadModel(meta.path);
  const info = findEmbedding(base);
  const { model, dim } = embeddingModel(base, info);
  const modelSha = meta.sha256 ?? createHash('sha256').update(fs.readFileSync(meta.path)).digest('hex');
  const copies = opts.augment ? (opts.copies ?? 0) : 0;
  const variants = copies + 1;
  const vectors: (Float32Array | null)[][] = Array.from({ length: variants }, () => new Array(files.length).fill(null));
  const failed: Embeddings['failed'] = [];
  // PREPROCESS_VERSION in the path: embeddings made with an older resize are not reused.
  const dirFor = (v: number) =>
    path.join(
      opts.cacheDir,
      'embeddings',
      `${modelSha.slice(0, 32)}-p${PREPROCESS_VERSION}`,
      v === 0 ? 'plain' : `${hashKey(opts.augmentKey ?? '')}-${v}`,
    );

  // Cache first: the file's bytes are hashed anyway (the key), and a hit costs one small read.
  const todo: { i: number; sha: string; bytes: Uint8Array }[] = [];
  let cached = 0;
  for (let i = 0; i < files.length; i++) {
    opts.signal?.throwIfAborted?.();
    let bytes: Uint8Array;
    try {
      const st = fs.statSync(files[i]);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > MAX_FILE) throw new Error(`larger than ${MAX_FILE / 2 ** 20} MiB`);
      bytes = fs.readFileSync(files[i]);
    } catch (e) {
      failed.push({ file: files[i], reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    let all = true;
    for (let v = 0; v < variants; v++) {
      const hit = readVector(path.join(dirFor(v), sha.slice(0, 2), `${sha}.f32`), dim);
      vectors[v][i] = hit;
      if (!hit) all = false;
    }
    if (all) cached++;
    else todo.push({ i, sha, bytes });
  }
  opts.onProgress?.(cached, files.length);
  if (todo.length === 0) return { dim, info, vectors, failed, cached };

  const session = await createTrainSession(encodeModel(model), { provider: opts.provider });
  const [h, w] = meta.inputSize;
  const per = 3 * h * w;
  const nhwc = meta.preprocessing.layout === 'NHWC';
  let batchLimit = opts.batch ?? 16;
  try {
    for (let start = 0; start < todo.length;) {
      opts.signal?.throwIfAborted?.();
      const chunk = todo.slice(start, start + batchLimit);
      const tensors: { i: number; sha: string; v: number; t: Float32Array }[] = [];
      for (const item of chunk) {
        try {
          const decoded = await decodeImage(files[item.i], item.bytes);
          const px = await resizeForModel(decoded.image, decoded.width, decoded.height, meta.preprocessing, meta.inputSize);
          for (let v = 0; v < variants; v++) {
            if (vectors[v][item.i]) continue;
            const pv = v === 0 ? px : opts.augment!(px, v);
            tensors.push({ i: item.i, sha: item.sha, v, t: pixelsToTensor(pv, meta.preprocessing) });
          }
        } catch (e) {
          failed.push({ file: files[item.i], reason: e instanceof Error ? e.message : String(e) });
        }
      }
      if (tensors.length) {
        let out: Float32Array;
        try {
          const x = new Float32Array(per * tensors.length);
          tensors.forEach((t, k) => x.set(t.t, k * per));
          const dims = nhwc ? [tensors.length, h, w, 3] : [tensors.length, 3, h, w];
          out = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, dims) })).embedding.data as Float32Array;
        } catch (e) {
          // A graph whose reshapes pin the batch to 1 runs one image at a time.
          if (batchLimit > 1) {
            batchLimit = 1;
            continue;
          }
          throw new StudioError('bad_model', `${meta.name}: computing embeddings failed (${(e as Error).message.split('\n')[0]})`);
        }
        tensors.forEach((t, k) => {
          const vec = out.slice(k * dim, (k + 1) * dim);
          vectors[t.v][t.i] = vec;
          writeVector(path.join(dirFor(t.v), t.sha.slice(0, 2), `${t.sha}.f32`), vec);
        });
      }
      start += chunk.length;
      opts.onProgress?.(cached + Math.min(start, todo.length), files.length);
    }
  } finally {
    await session.release();
  }
  return { dim, info, vectors, failed, cached };
}

const hashKey = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

function readVector(file: string, dim: number): Float32Array | null {
  try {
    const b = fs.readFileSync(file);
    if (b.byteLength !== dim * 4) return null;
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  } catch {
    return null;
  }
}

/** Written to a temporary name and renamed: a kill mid-write never leaves a short vector under its key. */
function writeVector(file: string, v: Float32Array): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    fs.renameSync(tmp, file);
  } catch {
    // A full disk only costs the cache, never the run.
  }
}
