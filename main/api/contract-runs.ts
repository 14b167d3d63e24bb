// Experiment-log shapes of the contract (runs.*). Node-free: the renderer imports it.
import { z } from 'zod';

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
