// The one contract between the renderer (or any client) and the engine.
// Requests are validated with zod at the engine's edge; handlers are typed from `Methods`,
// so a method without a handler is a compile error (see main/api/handlers.ts).
// This file is imported by the renderer too: keep it free of Node imports.
import { z } from 'zod';
import { DreamParams, Estimate, EstimateParams, InvertParams, StyleParams, TextureParams } from '../techniques/create-shared/params';

// ---------- shared shapes ----------

/** Raw bytes (structured clone in Electron, binary attachments over the WebSocket). */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes (Uint8Array)' });

/** An image or file handed over by value (drop, paste, file dialog). */
export const FilePayload = z.object({
  name: z.string().min(1).max(4096),
  bytes: Bytes,
});
export type FilePayload = z.infer<typeof FilePayload>;

export const Preprocessing = z.object({
  channelOrder: z.enum(['RGB', 'BGR']),
  layout: z.enum(['NCHW', 'NHWC']),
  /** pixel (0..255) * scale, then (x - mean) / std per channel (in the model's channel order). */
  scale: z.number(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
  /** 'fill': plain resize of the whole image; 'shorter-then-crop': shorter side to resizeTo, centre crop to input size. */
  resize: z.enum(['fill', 'shorter-then-crop', 'fill-then-crop']),
  /** Size of the intermediate resize for the crop modes (e.g. 256 for a 224 crop). */
  resizeTo: z.number().int().positive().optional(),
});
export type Preprocessing = z.infer<typeof Preprocessing>;

export const ModelMeta = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  source: z.enum(['catalog', 'imported', 'builtin']),
  /** Present on disk and loadable. */
  status: z.enum(['available', 'missing', 'downloading', 'broken']),
  path: z.string().optional(),
  sha256: z.string().optional(),
  sizeBytes: z.number().optional(),
  url: z.string().optional(),
  license: z.string().optional(),
  inputName: z.string().optional(),
  outputName: z.string().optional(),
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  numClasses: z.number().int(),
  /** Output already holds probabilities (softmax inside the graph). */
  outputIsProbabilities: z.boolean(),
  preprocessing: Preprocessing,
  /** Label set id (e.g. 'imagenet1k', 'imagenet1001') or a path to a labels file. */
  labels: z.string(),
  /** Output index i maps to label line i + labelOffset. */
  labelOffset: z.number().int(),
  error: z.string().optional(),
  notes: z.string().optional(),
});
export type ModelMeta = z.infer<typeof ModelMeta>;

export const ModelPatch = ModelMeta.pick({
  name: true,
  preprocessing: true,
  labels: true,
  labelOffset: true,
  outputIsProbabilities: true,
}).partial();
export type ModelPatch = z.infer<typeof ModelPatch>;

export const TopClass = z.object({ index: z.number().int(), label: z.string(), probability: z.number() });
export type TopClass = z.infer<typeof TopClass>;

export const ClassifyResult = z.object({
  file: z.string(),
  model: z.string(),
  top: z.array(TopClass).optional(),
  error: z.string().optional(),
  ms: z.number(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});
export type ClassifyResult = z.infer<typeof ClassifyResult>;

export const JobKind = z.enum(['download', 'classify-batch']);
export type JobKind = z.infer<typeof JobKind>;

export const JobInfo = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  fraction: z.number(),
  etaSeconds: z.number().nullable(),
  startedAt: z.number().nullable(),
});
export type JobInfo = z.infer<typeof JobInfo>;

// ---------- experiment log ----------

export const RunStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunSummary = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string(),
  status: RunStatus,
  /** Epoch milliseconds. */
  created: z.number(),
  started: z.number().nullable(),
  ended: z.number().nullable(),
  durationMs: z.number().nullable(),
  modelId: z.string().nullable(),
  modelSha256: z.string().nullable(),
  params: z.unknown(),
  seed: z.number().nullable(),
  appVersion: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  /** Artifact id of an image to show in lists (an output, else the first input). */
  thumbnail: z.number().int().nullable(),
  deleted: z.boolean(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunArtifact = z.object({
  id: z.number().int(),
  /** 'input' | 'preview' | 'output' */
  role: z.string(),
  name: z.string(),
  mime: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  step: z.number().nullable(),
});
export type RunArtifact = z.infer<typeof RunArtifact>;

export const RunMetricSeries = z.object({ name: z.string(), steps: z.array(z.number()), values: z.array(z.number()) });
export type RunMetricSeries = z.infer<typeof RunMetricSeries>;

export const RunDetail = RunSummary.extend({
  result: z.unknown(),
  metrics: z.array(RunMetricSeries),
  artifacts: z.array(RunArtifact),
  /** Per-item results (one per image of a batch). */
  items: z.array(z.object({ index: z.number().int(), data: z.unknown() })),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunFilter = z.object({
  kind: z.string().optional(),
  model: z.string().optional(),
  tag: z.string().optional(),
  status: RunStatus.optional(),
  /** Created at or after / before (epoch ms). */
  from: z.number().optional(),
  to: z.number().optional(),
  /** Full-text search over label, notes and tags. */
  text: z.string().max(500).optional(),
  includeDeleted: z.boolean().default(false),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type RunFilter = z.input<typeof RunFilter>;

// ---------- explain: CAM family, class visualisation, adversarial examples ----------

export const CamMethod = z.enum(['cam', 'gradcam', 'gradcam++', 'hirescam', 'scorecam']);
export type CamMethod = z.infer<typeof CamMethod>;
export const Colormap = z.enum(['jet', 'viridis', 'inferno', 'gray']);
export const OverlayParams = z.object({
  colormap: Colormap.default('jet'),
  /** Weight of the heat map in the blend. */
  opacity: z.number().min(0).max(1).default(0.5),
  /** Map values below this are left uncoloured. */
  threshold: z.number().min(0).max(1).default(0),
  mode: z.enum(['blended', 'side-by-side', 'mask-only']).default('blended'),
  colorbar: z.boolean().default(true),
  /** Class + probability caption on the image. */
  caption: z.boolean().default(true),
});
export type OverlayParams = z.infer<typeof OverlayParams>;
const Point = z.object({ x: z.number(), y: z.number() });

/** The `done` result of an explain.cam job. `png` is the overlay at the photo's resolution, with provenance chunks. */
export const CamJobResult = z.object({
  png: Bytes,
  file: z.string(),
  model: z.string(),
  method: CamMethod,
  layer: z.string(),
  layerReason: z.string(),
  suggestedLayer: z.string(),
  class: TopClass,
  top: z.array(TopClass),
  /** Hottest point in the photo's pixels. */
  peak: Point,
  width: z.number().int(),
  height: z.number().int(),
  ms: z.number(),
});
export type CamJobResult = z.infer<typeof CamJobResult>;

export const ExplainLayer = z.object({
  tensor: z.string(),
  name: z.string(),
  op: z.string(),
  shape: z.array(z.union([z.number(), z.string()])),
});
export type ExplainLayer = z.infer<typeof ExplainLayer>;

export const VisualizeParams = z.object({
  modelId: z.string(),
  classIndex: z.number().int().min(0),
  steps: z.number().int().min(1).max(5000).optional(),
  learningRate: z.number().min(0).max(255).optional(),
  l2Decay: z.number().min(0).max(1).optional(),
  jitter: z.number().int().min(0).max(64).optional(),
  blurEvery: z.number().int().min(0).max(1000).optional(),
  blurSigma: z.number().min(0).max(10).optional(),
  start: z.enum(['grey', 'noise']).optional(),
  seed: z.number().int().min(0).optional(),
});
export const VisualizeJobResult = z.object({
  png: Bytes,
  model: z.string(),
  class: z.object({ index: z.number().int(), label: z.string() }),
  logit: z.number(),
  probability: z.number(),
  top: z.array(TopClass),
  steps: z.number().int(),
  ms: z.number(),
});
export type VisualizeJobResult = z.infer<typeof VisualizeJobResult>;

const EIGHT_GREY_LEVELS = 8 / 255;
export const AdversarialParams = z.object({
  image: FilePayload,
  modelId: z.string(),
  method: z.enum(['fgsm', 'pgd']).default('fgsm'),
  /** L∞ budget in [0, 1] pixel units (8/255 ≈ 0.031). */
  epsilon: z.number().min(0).max(1).default(EIGHT_GREY_LEVELS),
  steps: z.number().int().min(1).max(1000).default(10),
  stepSize: z.number().min(0).max(1).optional(),
  /** Class index to aim for; absent = untargeted. */
  target: z.number().int().min(0).optional(),
  randomStart: z.boolean().default(false),
  seed: z.number().int().min(0).optional(),
});
export const AdversarialJobResult = z.object({
  /** The adversarial image at the model's input size, with provenance. */
  png: Bytes,
  /** original | adversarial | perturbation ×10 | Grad-CAM before | after. */
  panel: Bytes,
  method: z.enum(['fgsm', 'pgd']),
  epsilon: z.number(),
  steps: z.number().int(),
  stepSize: z.number(),
  target: z.number().int().nullable(),
  original: z.array(TopClass),
  adversarial: z.array(TopClass),
  success: z.boolean(),
  linf: z.number(),
  smallestFlipEpsilon: z.number().nullable(),
  sweep: z.array(z.object({ epsilon: z.number(), top1: TopClass })),
  ms: z.number(),
});
export type AdversarialJobResult = z.infer<typeof AdversarialJobResult>;

// ---------- methods ----------

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const Methods = {
  'app.info': method(
    z.object({}),
    z.object({ version: z.string(), home: z.string(), transport: z.string(), ortVersion: z.string(), threads: z.number() }),
  ),
  'models.list': method(z.object({}), z.array(ModelMeta)),
  'models.pull': method(z.object({ id: z.string() }), z.object({ jobId: z.string() })),
  'models.import': method(z.object({ file: FilePayload, sidecar: FilePayload.optional() }), ModelMeta),
  'models.update': method(z.object({ id: z.string(), patch: ModelPatch }), ModelMeta),
  'models.remove': method(z.object({ id: z.string() }), z.object({ removed: z.boolean() })),
  'models.labels': method(z.object({ id: z.string() }), z.array(z.string())),
  'classify.image': method(
    z.object({ image: FilePayload, modelId: z.string(), topK: z.number().int().min(1).max(100).default(5) }),
    ClassifyResult,
  ),
  'classify.batch': method(
    z.object({ images: z.array(FilePayload).min(1), modelId: z.string(), topK: z.number().int().min(1).max(100).default(5) }),
    z.object({ jobId: z.string() }),
  ),
  'runs.list': method(RunFilter, z.object({ runs: z.array(RunSummary), total: z.number().int() })),
  'runs.get': method(z.object({ id: z.string() }), RunDetail),
  'runs.artifact': method(z.object({ artifactId: z.number().int() }), z.object({ name: z.string(), mime: z.string(), bytes: Bytes })),
  /** A small WebP of an image artifact (lists, grids): a few KB instead of the full image. */
  'runs.thumbnail': method(
    z.object({ artifactId: z.number().int(), size: z.number().int().min(16).max(512).default(96) }),
    z.object({ mime: z.string(), bytes: Bytes }),
  ),
  'runs.tag': method(
    z.object({ id: z.string(), add: z.array(z.string().min(1).max(100)).default([]), remove: z.array(z.string()).default([]) }),
    z.object({ tags: z.array(z.string()) }),
  ),
  'runs.note': method(z.object({ id: z.string(), text: z.string().max(100_000) }), z.object({ note: z.string().nullable() })),
  'runs.delete': method(z.object({ ids: z.array(z.string()).min(1) }), z.object({ deleted: z.number().int() })),
  'runs.restore': method(z.object({ ids: z.array(z.string()).min(1) }), z.object({ restored: z.number().int() })),
  'runs.export': method(z.object({ ids: z.array(z.string()).min(1) }), z.object({ name: z.string(), bytes: Bytes })),
  'runs.import': method(z.object({ file: FilePayload }), z.object({ imported: z.array(z.string()), skipped: z.array(z.string()) })),
  'explain.layers': method(
    z.object({ modelId: z.string() }),
    z.object({ suggested: z.string(), reason: z.string(), camAvailable: z.boolean(), layers: z.array(ExplainLayer) }),
  ),
  /** A job; its `done` result is a CamJobResult. */
  'explain.cam': method(
    z.object({
      image: FilePayload,
      modelId: z.string(),
      method: CamMethod.default('gradcam'),
      classIndex: z.number().int().min(0).optional(),
      layer: z.string().optional(),
      topK: z.number().int().min(1).max(100).default(5),
      /** Average over flips × brightness (pytorch-grad-cam aug_smooth). */
      augSmooth: z.boolean().default(false),
      /** First principal component of the weighted activations (eigen_smooth). */
      eigenSmooth: z.boolean().default(false),
      overlay: OverlayParams.prefault({}),
    }),
    z.object({ jobId: z.string() }),
  ),
  /** A job with PNG previews; its `done` result is a VisualizeJobResult. */
  'explain.visualize': method(VisualizeParams, z.object({ jobId: z.string() })),
  /** A job; its `done` result is an AdversarialJobResult. */
  'explain.adversarial': method(AdversarialParams, z.object({ jobId: z.string() })),
  // Create tools: each starts a job whose 'done' result is a CreateResult (techniques/create-shared/params.ts).
  'create.dream': method(DreamParams, z.object({ jobId: z.string() })),
  'create.invert': method(InvertParams, z.object({ jobId: z.string() })),
  'create.texture': method(TextureParams, z.object({ jobId: z.string() })),
  'create.style': method(StyleParams, z.object({ jobId: z.string() })),
  'create.estimate': method(EstimateParams, Estimate),
  'jobs.list': method(z.object({}), z.array(JobInfo)),
  'jobs.cancel': method(z.object({ jobId: z.string() }), z.object({ cancelled: z.boolean() })),
} as const;

export type MethodName = keyof typeof Methods;
export type ParamsOf<M extends MethodName> = z.input<(typeof Methods)[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof Methods)[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<(typeof Methods)[M]['result']>;

// ---------- events ----------

export const JobEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queued'), jobId: z.string(), kind: z.string(), label: z.string() }),
  z.object({ type: z.literal('started'), jobId: z.string() }),
  z.object({
    type: z.literal('progress'),
    jobId: z.string(),
    fraction: z.number(),
    etaSeconds: z.number().nullable(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('preview'), jobId: z.string(), mime: z.string(), bytes: Bytes, step: z.number().optional() }),
  z.object({ type: z.literal('metric'), jobId: z.string(), step: z.number(), name: z.string(), value: z.number() }),
  z.object({ type: z.literal('item'), jobId: z.string(), index: z.number(), item: z.unknown() }),
  z.object({ type: z.literal('log'), jobId: z.string(), message: z.string() }),
  z.object({ type: z.literal('done'), jobId: z.string(), result: z.unknown() }),
  z.object({ type: z.literal('failed'), jobId: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ type: z.literal('cancelled'), jobId: z.string() }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

export type StudioEvent =
  | { channel: 'job'; payload: JobEvent }
  | { channel: 'models.changed'; payload: Record<string, never> }
  /** Raised by the client itself when the transport drops (engine restarted, server stopped). */
  | { channel: 'connection'; payload: { state: 'closed' | 'open' } };

// ---------- envelopes ----------

export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'bad_image'
  | 'image_too_large'
  | 'bad_model'
  | 'model_missing'
  | 'checksum_mismatch'
  | 'download_failed'
  | 'cancelled'
  | 'disk_full'
  | 'internal';

export interface WireError {
  code: ErrorCode;
  message: string;
}

export interface RequestEnvelope {
  id: number;
  method: string;
  params: unknown;
}
export type ResponseEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };
export type EngineMessage = { kind: 'response'; response: ResponseEnvelope } | { kind: 'event'; event: StudioEvent };

/** What the renderer sees; same object in Electron (preload) and browser mode (WebSocket). */
export interface StudioApi {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  on(listener: (event: StudioEvent) => void): () => void;
  readonly transport: 'electron' | 'browser';
}

/** An error that crossed the contract; `code` tells the UI what to say. */
export class StudioError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StudioError';
  }
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}
