// Shapes shared across the contract (files, models, classification, jobs). Node-free: the renderer imports it.
import { z } from 'zod';

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
  /** Held between two steps by jobs.pause (only jobs that offer pause points: training). */
  paused: z.boolean().optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;
