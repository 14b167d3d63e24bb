// Training your own classifier, end to end: dataset → batches (images, or embeddings of a pretrained base) →
// training graph and loop → export as a studio model (checked against the trained graph) → the numbers a
// person reads (confusion matrix, per-class precision/recall, every validation image's outcome).
import path from 'node:path';
import sharp from 'sharp';
import { StudioError, type Preprocessing, type TrainParams, type TrainResult } from '../api/contract';
import type { ModelRegistry } from '../models/registry';
import { seededRng } from '../optim/rng';
import { chooseProvider, type ProviderName } from '../runtime/ort';
import { makeBatch, type Augmentation } from './data/augment';
import { loadTensorCache, type TensorCache } from './data/cache';
import { scanDataset, type Sample } from './data/scan';
import { trainValSplit } from './data/split';
import { OpenedFiles, resolveDataset } from './datasets';
import { EvalStep } from './eval-session';
import { exportInference } from './graph/export';
import { parameterNames } from './graph/prepare';
import { buildTrainGraph } from './graph/train-graph';
import { trainLoop, type LoopOptions, type Reporter } from './loop';
import { buildArchitecture, ARCHITECTURES } from './models/arch';
import { buildHead } from './models/head';
import { defaultHyper } from './optim/optimizers';
import type { ScheduleSpec } from './optim/schedules';
import { outcomes } from './outcomes';
import { publishModel, verifyExport } from './publish';
import { EmbeddingSource, ImageSource } from './sources';
import { TrainStep, type Weights } from './step-session';
import { computeEmbeddings } from './transfer/embed';
import { embeddingModel } from './transfer/embedding';
import { attachHead, rgbToGrey } from './transfer/compose';
import { fineTune } from './finetune';
import { loadModel } from '../onnx/proto';
import type { Model } from '../onnx/ir';

export interface TrainServices {
  registry: ModelRegistry;
  cacheDir: string;
  opened?: OpenedFiles;
}

export interface TrainReporter extends Reporter {
  log(message: string): void;
  signal?: AbortSignal;
}

/** Augmented embedding copies per image in transfer mode (each step draws one). */
const TRANSFER_COPIES = 4;

/** What every run starts from: the scanned and split dataset, the provider, and the prepared network and batches. */
export interface RunSetup {
  root: string;
  classes: string[];
  provider: ProviderName;
  prepared: Prepared;
}

export async function prepareRun(p: TrainParams, s: TrainServices, r: TrainReporter): Promise<RunSetup> {
  const root = resolveDataset(p.dataset);
  const scan = await scanDataset(root, { val: p.val ? resolveDataset(p.val) : undefined, signal: r.signal });
  if (scan.classes.length < 2)
    throw new StudioError('bad_request', `${root}: a classifier needs at least two class folders, found ${scan.classes.length || 'none'}`);
  const split = trainValSplit(scan, { valFraction: p.valSplit, seed: p.seed });
  if (split.val.length === 0) throw new StudioError('bad_request', `${root}: too few images to hold any out for validation`);
  s.opened?.add([...split.train, ...split.val].map((x) => x.file));
  for (const k of scan.skipped.slice(0, 20)) r.log(`skipped ${k.file}: ${k.reason}`);
  const provider = (await chooseProvider()).chosen;
  r.log(`execution provider: ${provider}`);
  const prepared =
    p.mode === 'scratch'
      ? await fromScratch(p, scan.classes, split.train, split.val, s, r)
      : p.mode === 'transfer'
        ? await transfer(p, scan.classes, split.train, split.val, s, r, provider)
        : await fineTune(p, scan.classes, split.train, split.val, s, r);
  return { root, classes: scan.classes, provider, prepared };
}

/** The training graph of a prepared run (weight decay is the optimiser's: torch's weight_decay, AdamW's decoupled form). */
export function trainGraphOf(p: TrainParams, prepared: Prepared) {
  return buildTrainGraph(prepared.forward, {
    trainable: prepared.trainable,
    labelSmoothing: p.labelSmoothing,
    l1: p.l1,
    l2: 0,
    dropoutSeedable: true,
  });
}

export async function trainClassifier(p: TrainParams, s: TrainServices, r: TrainReporter): Promise<TrainResult> {
  const t0 = performance.now();
  const { root, classes, provider, prepared } = await prepareRun(p, s, r);
  const scan = { classes };
  const { forward, weights, source, trainable } = prepared;
  const step = await TrainStep.create(trainGraphOf(p, prepared), provider, Math.min(p.batch, prepared.source.trainCount));
  const evaluator = await EvalStep.create(forward, trainable, provider);
  let loop;
  try {
    loop = await trainLoop(step, evaluator, source, weights, { ...loopOptions(p, source.trainCount), groups: prepared.groups }, r);
  } finally {
    await step.release();
  }
  await evaluator.release();

  // Export, register, and check the registered file against the trained graph.
  r.progress(1, 'exporting');
  const inference = prepared.compose(exportInference(forward, loop.weights));
  const name = p.name ?? defaultName(p, root);
  const meta = await publishModel(s.registry, {
    model: inference,
    name,
    description: `${scan.classes.length}-class classifier trained in Vision Studio on ${path.basename(root)} (${p.mode === 'scratch' ? ARCHITECTURES[p.arch].label : `transfer from ${prepared.baseName}`}).`,
    classes: scan.classes,
    inputSize: prepared.inputSize,
    preprocessing: prepared.preprocessing,
    training: { arch: prepared.arch, base: prepared.baseName, params: p },
  });
  const check = await prepared.checkInputs(Math.min(32, source.valCount));
  const exportMaxDiff = await verifyExport(meta, check.x, check.dims, loop.best.logits.subarray(0, check.count * scan.classes.length));
  if (!(exportMaxDiff <= 1e-4))
    throw new StudioError('internal', `the exported model disagrees with the trained one (max |Δ| ${exportMaxDiff.toExponential(2)})`);

  const valFiles = prepared.valFiles;
  const o = outcomes(loop.best.logits, scan.classes.length, (i) => source.valLabel(i), valFiles);
  const last = loop.history[loop.bestEpoch - 1] ?? loop.history.at(-1)!;
  return {
    modelId: meta.id,
    out: meta.path!,
    name: meta.name,
    mode: p.mode,
    arch: prepared.arch,
    base: prepared.baseName,
    epochs: loop.history.length,
    bestEpoch: loop.bestEpoch,
    stoppedEarly: loop.stoppedEarly,
    classes: scan.classes,
    train: { loss: last.trainLoss, accuracy: last.trainAccuracy },
    val: { loss: loop.best.loss, accuracy: loop.best.accuracy },
    confusion: o.confusion,
    perClass: o.perClass.map((c, i) => ({ ...c, class: scan.classes[i] })),
    predictions: o.predictions,
    exportMaxDiff,
    provider,
    ms: performance.now() - t0,
    imagesPerS: loop.images / (loop.ms / 1000),
  };
}

export interface Prepared {
  forward: Model;
  weights: Weights;
  trainable: string[];
  /** Parameter groups with their learning-rate scale (fine-tuning: the backbone learns slower). */
  groups?: { names: string[]; lrScale: number }[];
  source: ImageSource | EmbeddingSource;
  arch: string;
  baseName: string | null;
  inputSize: [number, number];
  preprocessing: Preprocessing;
  valFiles: string[];
  /** The exported graph around the trained one (grey conversion, or the base network before a head). */
  compose(trained: Model): Model;
  /** Inputs for the export check, as Classify would feed the exported model, in validation order. */
  checkInputs(count: number): Promise<{ x: Float32Array; dims: number[]; count: number }>;
}

export function loopOptions(p: TrainParams, trainCount: number): LoopOptions {
  const hyper = { ...defaultHyper(p.optimizer) };
  if (p.lr !== undefined) hyper.lr = p.lr;
  if (p.momentum !== undefined && 'momentum' in hyper) hyper.momentum = p.momentum;
  if (p.weightDecay) hyper.weightDecay = p.weightDecay;
  const perEpoch = Math.ceil(trainCount / p.batch);
  const total = perEpoch * p.epochs;
  const schedule: ScheduleSpec =
    p.schedule === 'step'
      ? { kind: 'step', stepSize: Math.max(1, Math.round(total / 3)), gamma: 0.1 }
      : p.schedule === 'cosine'
        ? { kind: 'cosine', tMax: total }
        : p.schedule === 'onecycle'
          ? { kind: 'one-cycle', totalSteps: total }
          : { kind: 'constant' };
  return {
    epochs: p.epochs,
    batch: p.batch,
    optimizer: p.optimizer,
    hyper,
    schedule,
    clipNorm: p.clipNorm,
    earlyStop: p.earlyStop,
    seed: p.seed,
  };
}

function defaultName(p: TrainParams, root: string): string {
  const what = p.mode === 'scratch' ? p.arch : p.mode === 'finetune' ? 'fine-tuned' : `${p.head}-head`;
  return `${path
    .basename(root)
    .replace(/^ds-/, '')
    .replace(/-[0-9a-f]{8}$/, '')} ${what}`;
}

function initialWeights(m: Model): Weights {
  const w: Weights = new Map();
  for (const [k, t] of m.graph.initializers) if (t.data instanceof Float32Array) w.set(k, t.data.slice());
  return w;
}

/** Grey when every one of the first images is grey (Fashion-MNIST, X-rays), else colour. */
async function detectChannels(samples: Sample[]): Promise<1 | 3> {
  for (const x of samples.slice(0, 16)) {
    try {
      const m = await sharp(x.file).metadata();
      if ((m.channels ?? 3) >= 3 && m.space !== 'b-w') return 3;
    } catch {
      // unreadable files are reported by the cache
    }
  }
  return 1;
}

async function fromScratch(
  p: TrainParams,
  classes: string[],
  train: Sample[],
  val: Sample[],
  s: TrainServices,
  r: TrainReporter,
): Promise<Prepared> {
  const size = p.size ?? (p.arch === 'lenet5' ? 28 : 32);
  const channels = p.channels ?? (await detectChannels(train));
  const load = (samples: Sample[], what: string): Promise<TensorCache> =>
    loadTensorCache(samples, {
      size,
      channels,
      resize: 'fill',
      cacheDir: path.join(s.cacheDir, 'images'),
      signal: r.signal,
      onProgress: (d, n) => r.progress(0, `decoding ${what} images ${d} / ${n}`),
    });
  const trainSet = await load(train, 'training');
  const valSet = await load(val, 'validation');
  for (const k of [...trainSet.skipped, ...valSet.skipped].slice(0, 20)) r.log(`skipped ${k.file}: ${k.reason}`);
  if (trainSet.n === 0 || valSet.n === 0) throw new StudioError('bad_request', 'no readable images left to train or validate on');
  const { mean, std } = channelStats(trainSet);
  const forward = buildArchitecture(p.arch, {
    channels,
    size,
    classes: classes.length,
    dropout: p.dropout || undefined,
    init: p.init,
    seed: p.seed,
  });
  const augment = new Set<Augmentation>(p.augment);
  const source = new ImageSource(trainSet, valSet, augment, mean, std, p.batch);
  const pre: Preprocessing = {
    channelOrder: 'RGB',
    layout: 'NCHW',
    scale: 1 / 255,
    mean: channels === 1 ? [mean[0], mean[0], mean[0]] : (mean as [number, number, number]),
    std: channels === 1 ? [std[0], std[0], std[0]] : (std as [number, number, number]),
    resize: 'fill',
  };
  return {
    forward,
    weights: initialWeights(forward),
    trainable: parameterNames(forward),
    source,
    arch: p.arch,
    baseName: null,
    inputSize: [size, size],
    preprocessing: pre,
    valFiles: Array.from(valSet.sourceIndex, (i) => val[i].file),
    compose: (m) => (channels === 1 ? rgbToGrey(m) : m),
    checkInputs: async (count) => {
      const b = source.valBatch(Uint32Array.from({ length: count }, (_, i) => i));
      if (channels === 3) return { x: b.x, dims: [count, 3, size, size], count };
      // Classify feeds three equal channels for a grey photo; the export's grey conversion sums them back.
      const plane = size * size;
      const x = new Float32Array(count * 3 * plane);
      for (let n = 0; n < count; n++) for (let c = 0; c < 3; c++) x.set(b.x.subarray(n * plane, (n + 1) * plane), (n * 3 + c) * plane);
      return { x, dims: [count, 3, size, size], count };
    },
  };
}

/** Per-channel mean and standard deviation of the training images in 0..1 (the normalisation the net sees). */
function channelStats(set: TensorCache): { mean: number[]; std: number[] } {
  const C = set.channels;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  for (let i = 0; i < set.data.length; i++) {
    const v = set.data[i] / 255;
    sum[i % C] += v;
    sq[i % C] += v * v;
  }
  const n = set.data.length / C;
  const mean = Array.from(sum, (x) => x / n);
  const std = Array.from(sq, (x, c) => Math.sqrt(Math.max(1e-12, x / n - mean[c] ** 2)) || 1);
  return { mean, std };
}

async function transfer(
  p: TrainParams,
  classes: string[],
  train: Sample[],
  val: Sample[],
  s: TrainServices,
  r: TrainReporter,
  provider: ProviderName,
): Promise<Prepared> {
  if (!p.baseModelId) throw new StudioError('bad_request', 'transfer learning needs a base model (baseModelId / --base)');
  const meta = await s.registry.resolveAsync(p.baseModelId);
  const augment = new Set<Augmentation>(p.augment);
  const rng = seededRng(p.seed ^ 0x5eed);
  const augmentPx = augment.size ? (px: { rgb: Uint8Array; width: number; height: number }) => augmentRgb(px, augment, rng) : undefined;
  const files = [...train, ...val].map((x) => x.file);
  const emb = await computeEmbeddings(meta, files, {
    cacheDir: s.cacheDir,
    signal: r.signal,
    provider,
    copies: augment.size ? TRANSFER_COPIES : 0,
    augment: augmentPx,
    augmentKey: `${[...augment].sort().join(',')}:${p.seed}`,
    onProgress: (d, n) => r.progress(0, `embedding images with ${meta.name}: ${d} / ${n}`),
  });
  for (const f of emb.failed.slice(0, 20)) r.log(`skipped ${f.file}: ${f.reason}`);
  r.log(`embedding: ${emb.info.reason}, ${emb.dim} values; ${emb.cached} of ${files.length} images from the cache`);
  const keep = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k).filter((i) => emb.vectors[0][i]);
  const ti = keep(0, train.length);
  const vi = keep(train.length, files.length);
  if (ti.length === 0 || vi.length === 0) throw new StudioError('bad_request', 'no readable images left to train or validate on');
  const label = (i: number) => (i < train.length ? train[i].label : val[i - train.length].label);
  const source = new EmbeddingSource(
    emb.vectors.map((v) => ti.map((i) => v[i] ?? emb.vectors[0][i]!)),
    Int32Array.from(ti, label),
    vi.map((i) => emb.vectors[0][i]!),
    Int32Array.from(vi, label),
    emb.dim,
  );
  const head = buildHead({
    dim: emb.dim,
    classes: classes.length,
    kind: p.head,
    hidden: p.hidden,
    dropout: p.dropout || undefined,
    seed: p.seed,
  });
  const base = embeddingModel(loadModel(meta.path!), emb.info).model;
  return {
    forward: head,
    weights: initialWeights(head),
    trainable: parameterNames(head),
    source,
    arch: `${p.head}-head`,
    baseName: meta.name,
    inputSize: meta.inputSize,
    preprocessing: meta.preprocessing,
    valFiles: vi.map((i) => files[i]),
    compose: (h) => attachHead(base, h),
    checkInputs: async (count) => {
      const { preprocessImage } = await import('../classify/classify');
      const [h, w] = meta.inputSize;
      const x = new Float32Array(count * 3 * h * w);
      for (let k = 0; k < count; k++) {
        const f = files[vi[k]];
        const { readFile } = await import('node:fs/promises');
        x.set((await preprocessImage(f, new Uint8Array(await readFile(f)), meta)).tensor, k * 3 * h * w);
      }
      const dims = meta.preprocessing.layout === 'NHWC' ? [count, h, w, 3] : [count, 3, h, w];
      return { x, dims, count };
    },
  };
}

/** One augmented copy of a model-sized RGB image (uint8 in, uint8 out), through the same code as image batches. */
function augmentRgb(
  px: { rgb: Uint8Array; width: number; height: number },
  augment: ReadonlySet<Augmentation>,
  rng: ReturnType<typeof seededRng>,
): { rgb: Uint8Array; width: number; height: number } {
  const { width: W, height: H } = px;
  if (W !== H) return px; // the augmenter works on square images; model inputs are
  const set = { n: 1, size: W, channels: 3 as const, data: px.rgb, labels: Int32Array.of(0) };
  // mean 0, std 1/255: the batch comes back in pixel units, CHW.
  const b = makeBatch(set, [0], { augment, mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255], rng });
  const plane = W * H;
  const rgb = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(b.x[c * plane + i])));
  return { rgb, width: W, height: H };
}
