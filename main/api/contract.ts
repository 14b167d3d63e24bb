// The one contract between the renderer (or any client) and the engine.
// Requests are validated with zod at the engine's edge; handlers are typed from `Methods`,
// so a method without a handler is a compile error (see main/api/handlers.ts).
// This file is imported by the renderer too: keep it free of Node imports.
import { z } from 'zod';
import { DreamParams, Estimate, EstimateParams, InvertParams, StyleParams, TextureParams } from '../techniques/create-shared/params';
import { Bytes, FilePayload, ModelMeta, ModelPatch, ClassifyResult, JobInfo } from './contract-shapes';
import { RunSummary, RunDetail, RunFilter } from './contract-runs';
import { CamMethod, OverlayParams, ExplainLayer, VisualizeParams, AdversarialParams } from './contract-explain';
import { TrainMethods as T } from './contract-train';
import { GraphMethods } from './contract-graph';
import { ActivationsMethods } from './contract-activations';
import { PlaygroundMethods } from './contract-playground';
import { ProjectorMethods } from './contract-projector';
import { RecentMethods } from './contract-recent';

export * from './contract-shapes';
export * from './contract-runs';
export * from './contract-explain';
export * from './contract-train';
export * from './contract-graph';
export * from './contract-activations';
export * from './contract-playground';
export * from './contract-projector';
export * from './contract-recent';

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
  // Train your own classifier (contract-train.ts).
  'train.datasetCreate': T.datasetCreate,
  'train.datasetAdd': T.datasetAdd,
  'train.inspect': T.inspect,
  'train.augmentPreview': T.augmentPreview,
  'train.start': T.start,
  'train.findLr': T.findLr,
  'train.evaluate': T.evaluate,
  'train.image': T.image,
  'train.providers': T.providers,
  // The architecture view, the activation explorer, the optimiser playground and the projector: one table each.
  ...GraphMethods,
  ...ActivationsMethods,
  ...PlaygroundMethods,
  ...ProjectorMethods,
  // Recent photos, reopened without dropping them again.
  ...RecentMethods,
  'jobs.list': method(z.object({}), z.array(JobInfo)),
  'jobs.cancel': method(z.object({ jobId: z.string() }), z.object({ cancelled: z.boolean() })),
  /** Holds a job at its next pause point (jobs that offer them: training), giving the compute lane to others. */
  'jobs.pause': method(z.object({ jobId: z.string(), paused: z.boolean() }), z.object({ paused: z.boolean() })),
  /** The page has drawn a job's last preview: the engine may send the next (backpressure). */
  'jobs.previewTaken': method(z.object({ jobId: z.string() }), z.object({})),
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
  /** What clients get instead of single metrics: a batch, at most ~10 a second (jobs/client-outbox.ts). */
  z.object({
    type: z.literal('metrics'),
    jobId: z.string(),
    points: z.array(z.object({ step: z.number(), name: z.string(), value: z.number() })),
  }),
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
