// From a folder of class folders and a model to what the projector shows: the embedding of every image (the
// tensor feeding the classifier, computed and cached by transfer learning's code), the model's prediction for
// each, and the thumbnail atlas. Folders larger than `maxImages` are thinned evenly so every class stays.
import type { ModelMeta, SkippedFile } from '../api/contract';
import { labelFor, loadLabels, shortLabel } from '../models/labels';
import { loadModel } from '../onnx/proto';
import { scanDataset } from '../train/data/scan';
import { computeEmbeddings } from '../train/transfer/embed';
import { buildAtlas, type Atlas } from './atlas';
import { classifierHead, predict } from './head';
import { subWork, type Work } from './ticker';

export interface EmbeddingSet {
  root: string;
  model: ModelMeta;
  classes: string[];
  files: string[];
  labels: Int32Array;
  dim: number;
  /** n × dim. */
  x: Float32Array;
  embedding: string;
  predicted: Int32Array | null;
  predictedClasses: string[];
  confidence: Float32Array | null;
  found: number;
  skipped: SkippedFile[];
  cached: number;
  atlas: Atlas | null;
}

export interface BuildOptions extends Work {
  cacheDir: string;
  maxImages: number;
  thumbnails: boolean;
}

export async function buildEmbeddingSet(root: string, meta: ModelMeta, opts: BuildOptions): Promise<EmbeddingSet> {
  opts.onProgress?.(0, 'finding images');
  const scan = await scanDataset(root, { signal: opts.signal });
  let samples = [...scan.train, ...(scan.val ?? [])];
  const found = samples.length;
  if (samples.length > opts.maxImages) {
    const step = samples.length / opts.maxImages;
    samples = Array.from({ length: opts.maxImages }, (_, i) => samples[Math.floor(i * step)]);
  }
  const embedWork = subWork(opts, 0, opts.thumbnails ? 0.75 : 0.95);
  const emb = await computeEmbeddings(
    meta,
    samples.map((s) => s.file),
    {
      cacheDir: opts.cacheDir,
      signal: opts.signal,
      onProgress: (done, total) =>
        embedWork.onProgress?.(total ? done / total : 1, `embeddings ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
    },
  );
  const keep = samples.map((_, i) => i).filter((i) => emb.vectors[0][i] !== null);
  const n = keep.length;
  const x = new Float32Array(n * emb.dim);
  keep.forEach((i, r) => x.set(emb.vectors[0][i]!, r * emb.dim));
  const files = keep.map((i) => samples[i].file);
  const labels = Int32Array.from(keep.map((i) => samples[i].label));

  // Predictions from the cached embeddings: the classifier alone, a tiny model.
  let predicted: Int32Array | null = null;
  let confidence: Float32Array | null = null;
  const predictedClasses: string[] = [];
  const head = meta.path ? classifierHead(loadModel(meta.path), emb.info, emb.dim) : null;
  if (head && n > 0) {
    const p = await predict(head, x, n, emb.dim, opts.signal);
    let names: readonly string[] = [];
    try {
      names = loadLabels(meta.labels);
    } catch {
      // No labels: the classes are named by index.
    }
    const compact = new Map<number, number>();
    predicted = p.index.map((c) => {
      let k = compact.get(c);
      if (k === undefined) {
        k = predictedClasses.length;
        compact.set(c, k);
        predictedClasses.push(shortLabel(labelFor(names, c, meta.labelOffset)));
      }
      return k;
    });
    confidence = p.confidence;
  }

  const atlas = opts.thumbnails && n > 0 ? await buildAtlas(files, subWork(opts, 0.75, 1)) : null;
  return {
    root,
    model: meta,
    classes: scan.classes,
    files,
    labels,
    dim: emb.dim,
    x,
    embedding: emb.info.reason,
    predicted,
    predictedClasses,
    confidence,
    found,
    skipped: [...scan.skipped, ...emb.failed],
    cached: emb.cached,
    atlas,
  };
}
