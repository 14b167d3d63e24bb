// "Your model's loss": a 2-D slice of a trained model's loss around its weights θ along two filter-normalised
// random directions δ, η (Li et al., 2018): L(θ + αδ + βη) on a grid of (α, β) ∈ [−span, span]², where L is the
// mean cross-entropy on N labelled images (a training run's validation split, or any class-folder dataset)
// preprocessed as Classify feeds the model. One evaluation session with the sliced weights as graph inputs
// serves every grid point; the frozen prefix (slice-graph.ts) runs once per image.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { StudioError, type ModelMeta } from '../api/contract.js';
import { preprocessImage } from '../classify/classify.js';
import { loadLabels } from '../models/labels.js';
import { loadModel, encodeModel } from '../onnx/proto.js';
import { seededRng } from '../optim/rng.js';
import { chooseProvider, createTrainSession } from '../runtime/ort.js';
import { scanDataset, type Sample } from '../train/data/scan.js';
import { trainValSplit } from '../train/data/split.js';
import { filterNormalizedDirection, perturb } from './directions.js';
import { sliceGraphs, slicedWeights } from './slice-graph.js';

/** Where the images come from: a training run's validation split (its params), or a labelled folder. */
export type SliceData = { kind: 'run'; root: string; val?: string; valSplit?: number; seed?: number } | { kind: 'folder'; root: string };

export interface ModelSliceSpec {
  meta: ModelMeta;
  data: SliceData;
  /** Training mode of the run ('transfer' slices only the trained head). */
  mode?: string;
  grid: number;
  span: number;
  seed: number;
  images: number;
}

export interface SliceReporter {
  progress(fraction: number, message?: string): void;
  throwIfCancelled(): void;
  log(message: string): void;
  signal?: AbortSignal;
}

export interface ModelSliceResult {
  alphas: number[];
  betas: number[];
  /** loss[j][i] = L(θ + alphas[i]·δ + betas[j]·η). */
  loss: number[][];
  model: { id: string; name: string };
  dataset: string;
  seed: number;
  /** Images the loss averages over, and the number of weight tensors (and values) given a direction. */
  images: number;
  weights: { tensors: number; values: number };
  ms: number;
}

/** The images of a slice: the run's validation split (as the run drew it) or the folder's val/ else all, thinned evenly. */
export async function sliceSamples(
  data: SliceData,
  count: number,
  signal?: AbortSignal,
): Promise<{ classes: string[]; samples: Sample[] }> {
  const scan = await scanDataset(data.root, { val: data.kind === 'run' ? data.val : undefined, signal });
  const pool = data.kind === 'run' ? trainValSplit(scan, { valFraction: data.valSplit, seed: data.seed }).val : (scan.val ?? scan.train);
  if (pool.length === 0) throw new StudioError('bad_request', `${data.root}: no labelled images to compute the loss on`);
  const n = Math.min(count, pool.length);
  return { classes: scan.classes, samples: Array.from({ length: n }, (_, k) => pool[Math.floor((k * pool.length) / n)]) };
}

/** Evenly spaced points of [−span, span] (grid odd keeps 0, the trained weights, on a node). */
export function gridPoints(grid: number, span: number): number[] {
  return Array.from({ length: grid }, (_, k) => -span + (2 * span * k) / (grid - 1));
}

export async function computeModelSlice(spec: ModelSliceSpec, r: SliceReporter): Promise<ModelSliceResult> {
  const t0 = performance.now();
  const { meta } = spec;
  if (!meta.path || meta.status !== 'available') throw new StudioError('model_missing', `${meta.name} is not on disk`);
  const model = loadModel(meta.path);
  const weights = slicedWeights(model, spec.mode);
  const graphs = sliceGraphs(model, weights);
  const { classes, samples } = await sliceSamples(spec.data, spec.images, r.signal);
  const labels = [...loadLabels(meta.labels)];
  const index = classes.map((c) => labels.indexOf(c));
  const missing = classes.filter((_, k) => index[k] < 0);
  if (missing.length) throw new StudioError('bad_request', `${meta.name} has no class named ${missing.map((m) => `"${m}"`).join(', ')}`);

  const provider = (await chooseProvider()).chosen;
  const { x, y } = await frontierOf(spec, graphs, samples, index, provider, r);
  const n = y.length;
  const session = await createTrainSession(encodeModel(graphs.eval.model), { provider });
  try {
    const per = graphs.frontierShape.reduce((a, b) => a * b, 1);
    const chunk = Math.max(1, Math.min(n, Math.floor(16_000_000 / per)));
    const batches: Record<string, ort.Tensor>[] = [];
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      batches.push({
        [graphs.eval.input]: new ort.Tensor('float32', x.subarray(s * per, (s + m) * per), [m, ...graphs.frontierShape]),
        [graphs.eval.labels]: new ort.Tensor('int64', y.subarray(s, s + m), [m]),
      });
    }
    const rng = seededRng(spec.seed);
    const d1 = filterNormalizedDirection(weights, rng);
    const d2 = filterNormalizedDirection(weights, rng);
    const buf = weights.map((w) => new Float32Array(w.data.length));
    const fed = Object.fromEntries(weights.map((w, k) => [w.name, new ort.Tensor('float32', buf[k], w.dims)]));
    const points = gridPoints(spec.grid, spec.span);
    const loss: number[][] = [];
    for (let j = 0; j < points.length; j++) {
      const row: number[] = [];
      for (let i = 0; i < points.length; i++) {
        r.throwIfCancelled();
        weights.forEach((w, k) => perturb(w.data, d1[k], d2[k], points[i], points[j], buf[k]));
        let sum = 0;
        for (const b of batches) {
          const out = await session.run({ ...fed, ...b });
          sum += Number((out[graphs.eval.outputs.loss].data as Float32Array)[0]) * Number(b[graphs.eval.labels].dims[0]);
        }
        row.push(sum / n);
        const done = j * points.length + i + 1;
        r.progress(done / points.length ** 2, `loss at ${done} / ${points.length ** 2} points`);
      }
      loss.push(row);
    }
    return {
      alphas: points,
      betas: [...points],
      loss,
      model: { id: meta.id, name: meta.name },
      dataset: spec.data.root,
      seed: spec.seed,
      images: n,
      weights: { tensors: weights.length, values: weights.reduce((a, w) => a + w.data.length, 0) },
      ms: performance.now() - t0,
    };
  } finally {
    await session.release();
  }
}

/** The images as the evaluation graph takes them: preprocessed as Classify does, through the prefix once. */
async function frontierOf(
  spec: ModelSliceSpec,
  graphs: ReturnType<typeof sliceGraphs>,
  samples: Sample[],
  index: number[],
  provider: Awaited<ReturnType<typeof chooseProvider>>['chosen'],
  r: SliceReporter,
): Promise<{ x: Float32Array; y: BigInt64Array }> {
  const { meta } = spec;
  const [h, w] = meta.inputSize;
  const per = graphs.frontierShape.reduce((a, b) => a * b, 1);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (const s of samples) {
    r.throwIfCancelled();
    try {
      images.push((await preprocessImage(s.file, new Uint8Array(await fs.promises.readFile(s.file)), meta)).tensor);
      labels.push(index[s.label]);
    } catch (e) {
      r.log(`skipped ${s.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    r.progress(0, `reading images ${images.length} / ${samples.length}`);
  }
  if (images.length === 0) throw new StudioError('bad_request', `${spec.data.root}: none of the images could be read`);
  const x = new Float32Array(images.length * per);
  if (!graphs.prefix) images.forEach((t, k) => x.set(t, k * per));
  else {
    const prefix = await createTrainSession(encodeModel(graphs.prefix), { provider });
    try {
      const inName = prefix.inputNames[0];
      for (let s = 0; s < images.length; s += 32) {
        r.throwIfCancelled();
        const part = images.slice(s, s + 32);
        const batch = new Float32Array(part.length * 3 * h * w);
        part.forEach((t, k) => batch.set(t, k * 3 * h * w));
        const dims = meta.preprocessing.layout === 'NCHW' ? [part.length, 3, h, w] : [part.length, h, w, 3];
        const out = await prefix.run({ [inName]: new ort.Tensor('float32', batch, dims) });
        x.set(out[graphs.frontier].data as Float32Array, s * per);
      }
    } finally {
      await prefix.release();
    }
  }
  return { x, y: BigInt64Array.from(labels, (v) => BigInt(v)) };
}
