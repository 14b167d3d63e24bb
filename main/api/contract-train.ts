// Train shapes of the contract (train.*): datasets from folders, training jobs, evaluation. Node-free: the
// renderer imports it. The optimiser, architecture and augmentation ids are the engine's own tables' keys.
import { z } from 'zod';
import { Bytes } from './contract-shapes';

export const OptimizerId = z.enum(['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw']);
export type OptimizerId = z.infer<typeof OptimizerId>;
export const ArchId = z.enum(['lenet5', 'vgg-small', 'resnet20']);
export type ArchId = z.infer<typeof ArchId>;
export const AugmentId = z.enum(['flip', 'crop', 'rotate', 'color']);
export type AugmentId = z.infer<typeof AugmentId>;
export const ScheduleId = z.enum(['constant', 'step', 'cosine', 'onecycle']);
export const InitId = z.enum(['he', 'xavier', 'torch-default']);
export const TrainMode = z.enum(['scratch', 'transfer', 'finetune']);
export type TrainMode = z.infer<typeof TrainMode>;

/** A dataset is a managed id (made by train.datasetCreate, files uploaded by the page) or an absolute folder. */
const DatasetRef = z.string().min(1).max(4096);

export const DatasetFile = z.object({ label: z.string().min(1).max(200), name: z.string().min(1).max(500), bytes: Bytes });

export const SkippedFile = z.object({ file: z.string(), reason: z.string() });
export type SkippedFile = z.infer<typeof SkippedFile>;
export const DatasetReport = z.object({
  dataset: z.string(),
  root: z.string(),
  /** 'folders' (a folder per class, split here) or 'train-val' (train/ and val/ given). */
  layout: z.enum(['folders', 'train-val']),
  classes: z.array(z.object({ name: z.string(), train: z.number().int(), val: z.number().int() })),
  total: z.number().int(),
  /** Largest class over smallest (1 = balanced). */
  imbalance: z.number(),
  sizes: z.object({
    minWidth: z.number(),
    minHeight: z.number(),
    medianWidth: z.number(),
    medianHeight: z.number(),
    maxWidth: z.number(),
    maxHeight: z.number(),
  }),
  /** Groups of files with identical bytes; `crossSplit`/`crossClass` flag the harmful ones. */
  duplicates: z.array(z.object({ files: z.array(z.string()), crossSplit: z.boolean(), crossClass: z.boolean() })),
  skipped: z.array(SkippedFile),
  warnings: z.array(z.string()),
});
export type DatasetReport = z.infer<typeof DatasetReport>;

export const TrainParams = z.object({
  dataset: DatasetRef,
  /** A separate validation folder (else train/ + val/ inside the dataset, else a stratified split). */
  val: DatasetRef.optional(),
  valSplit: z.number().min(0.05).max(0.5).default(0.2),
  mode: TrainMode.default('transfer'),
  /** From scratch: the architecture, its input size and initialiser. */
  arch: ArchId.default('lenet5'),
  size: z.number().int().min(16).max(512).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  init: InitId.default('he'),
  /** Transfer learning / fine-tuning: the base model (catalog or imported) and the head. */
  baseModelId: z.string().optional(),
  head: z.enum(['linear', 'mlp']).default('linear'),
  hidden: z.number().int().min(8).max(4096).default(256),
  /** Fine-tuning: blocks of the base unfrozen from the end (batch norm stays frozen), at lr × backboneLrScale. */
  fineTuneBlocks: z.number().int().min(1).max(50).default(1),
  backboneLrScale: z.number().min(0).max(1).default(0.1),
  epochs: z.number().int().min(1).max(1000).default(10),
  batch: z.number().int().min(1).max(4096).default(64),
  optimizer: OptimizerId.default('adam'),
  /** Learning rate; the optimiser's default when absent. */
  lr: z.number().positive().max(100).optional(),
  momentum: z.number().min(0).max(0.999).optional(),
  weightDecay: z.number().min(0).max(1).default(0),
  l1: z.number().min(0).max(1).default(0),
  dropout: z.number().min(0).max(0.95).default(0),
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  schedule: ScheduleId.default('constant'),
  clipNorm: z.number().positive().optional(),
  augment: z.array(AugmentId).default([]),
  /** Epochs without a better validation loss before stopping (0: off); the best epoch's weights are kept. */
  earlyStop: z.number().int().min(0).max(1000).default(0),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** Display name of the exported model. */
  name: z.string().min(1).max(120).optional(),
});
export type TrainParams = z.infer<typeof TrainParams>;

/** One validation image's outcome: the confusion matrix cells and the top-loss list are built from these. */
export const Prediction = z.object({
  file: z.string(),
  label: z.number().int(),
  predicted: z.number().int(),
  /** Probability of the predicted class and of the true class. */
  pPredicted: z.number(),
  pLabel: z.number(),
  loss: z.number(),
});
export type Prediction = z.infer<typeof Prediction>;

export const ClassScore = z.object({ class: z.string(), precision: z.number(), recall: z.number(), n: z.number().int() });
export type ClassScore = z.infer<typeof ClassScore>;

export const TrainResult = z.object({
  /** The exported model, registered: Classify, Explain and Create can use it at once. */
  modelId: z.string(),
  out: z.string(),
  name: z.string(),
  mode: TrainMode,
  arch: z.string(),
  base: z.string().nullable(),
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  stoppedEarly: z.boolean(),
  classes: z.array(z.string()),
  train: z.object({ loss: z.number(), accuracy: z.number() }),
  val: z.object({ loss: z.number(), accuracy: z.number() }),
  confusion: z.array(z.array(z.number().int())),
  perClass: z.array(ClassScore),
  predictions: z.array(Prediction),
  /** Export check: max |Δ| between the exported model's logits and the trained graph's on validation images. */
  exportMaxDiff: z.number(),
  provider: z.string(),
  ms: z.number(),
  imagesPerS: z.number(),
});
export type TrainResult = z.infer<typeof TrainResult>;

export const EvaluateResult = z.object({
  accuracy: z.number(),
  top5: z.number(),
  confusion: z.array(z.array(z.number().int())),
  classes: z.array(z.string()),
  per_class: z.array(ClassScore),
  predictions: z.array(Prediction),
});
export type EvaluateResult = z.infer<typeof EvaluateResult>;

export const LrFindResult = z.object({
  lrs: z.array(z.number()),
  losses: z.array(z.number()),
  smoothed: z.array(z.number()),
  stop: z.enum(['completed', 'diverged', 'non-finite', 'aborted']),
  /** fastai's two suggestions: the steepest descent of the smoothed loss, and a tenth of its minimum's lr. */
  suggestion: z.object({ steepest: z.number().nullable(), minimumOver10: z.number().nullable() }),
});
export type LrFindResult = z.infer<typeof LrFindResult>;

export const TrainMethods = {
  /** A managed dataset folder the page uploads files into (browser mode has no paths). */
  datasetCreate: {
    params: z.object({ name: z.string().min(1).max(200).optional() }),
    result: z.object({ id: z.string(), root: z.string() }),
  },
  datasetAdd: {
    params: z.object({ id: z.string(), files: z.array(DatasetFile).min(1).max(256) }),
    result: z.object({ added: z.number().int(), skipped: z.array(SkippedFile) }),
  },
  /** A job whose `done` result is a DatasetReport. */
  inspect: {
    params: z.object({
      dataset: DatasetRef,
      val: DatasetRef.optional(),
      valSplit: z.number().min(0.05).max(0.5).default(0.2),
      seed: z.number().int().min(0).default(0),
    }),
    result: z.object({ jobId: z.string() }),
  },
  /** PNGs of one training image under the chosen augmentations (a preview grid). */
  augmentPreview: {
    params: z.object({
      dataset: DatasetRef,
      index: z.number().int().min(0).default(0),
      augment: z.array(AugmentId),
      size: z.number().int().min(16).max(512).default(96),
      n: z.number().int().min(1).max(16).default(8),
      seed: z.number().int().min(0).default(0),
    }),
    result: z.object({ file: z.string(), images: z.array(Bytes) }),
  },
  /** A job whose `done` result is a TrainResult. */
  start: { params: TrainParams, result: z.object({ jobId: z.string() }) },
  /** The learning-rate range test on these settings: a job whose `done` result is an LrFindResult. */
  findLr: { params: TrainParams, result: z.object({ jobId: z.string() }) },
  /** A job whose `done` result is an EvaluateResult. */
  evaluate: { params: z.object({ modelId: z.string(), dataset: DatasetRef }), result: z.object({ jobId: z.string() }) },
  /** The bytes of one image of a dataset the engine has opened (confusion-matrix cells, top losses). */
  image: { params: z.object({ file: z.string().max(4096) }), result: z.object({ name: z.string(), mime: z.string(), bytes: Bytes }) },
  /**
   * Execution providers onnxruntime-node lists here, the one training uses, and why each better one was passed
   * over (a listed provider may lack its libraries or a device).
   */
  providers: {
    params: z.object({}),
    result: z.object({
      available: z.array(z.string()),
      chosen: z.string(),
      rejected: z.array(z.object({ name: z.string(), reason: z.string() })),
    }),
  },
} as const;
