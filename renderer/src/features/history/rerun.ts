// Re-running a logged run: the method that made it, with the logged parameters (optionally edited) and the logged
// input images put back where the parameters name them. Returns the new run's id when the engine gives one (jobs;
// job id = run id), else null (classify.image: the list refresh shows the new run).
import type { MethodName, RunArtifact, RunDetail } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';
import { artifactBytes } from './artifacts';

const METHOD: Record<string, MethodName> = {
  classify: 'classify.image',
  'classify-batch': 'classify.batch',
  'explain-cam': 'explain.cam',
  'explain-visualize': 'explain.visualize',
  'explain-adversarial': 'explain.adversarial',
  'create-dream': 'create.dream',
  'create-invert': 'create.invert',
  'create-texture': 'create.texture',
  'create-style': 'create.style',
  train: 'train.start',
  evaluate: 'train.evaluate',
};

export interface RerunEdits {
  modelId?: string;
  topK?: number;
  /** Replacement parameters (edited JSON); image fields may stay as logged. */
  params?: Record<string, unknown>;
}

export const canRerun = (r: RunDetail): boolean => r.kind in METHOD;

const isClassify = (r: RunDetail) => r.kind === 'classify' || r.kind === 'classify-batch';

/** The parameters as a person may edit them (classify runs are edited through model and top-K instead). */
export const editableParams = (r: RunDetail): string => (isClassify(r) ? '' : JSON.stringify(r.params ?? {}, null, 2));

export async function rerun(r: RunDetail, edits: RerunEdits = {}): Promise<string | null> {
  const method = METHOD[r.kind];
  if (!method) throw new Error(`Re-run is not available for ${r.kind} runs.`);
  const inputs = r.artifacts.filter((a) => a.role === 'input').sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  const files = await Promise.all(
    inputs.map(async (a: RunArtifact) => ({ name: a.name || `input-${a.id}`, bytes: (await artifactBytes(a.id)).bytes })),
  );
  const logged = structuredClone((edits.params ?? r.params ?? {}) as Record<string, unknown>);
  if (r.kind === 'train') {
    // A training run's parameters are complete (dataset, base model if any): run them as logged or edited.
    if (edits.modelId && logged.mode !== 'scratch') logged.baseModelId = edits.modelId;
    return (await connection.call('train.start', logged as never)).jobId;
  }
  const modelId = edits.modelId || (logged.modelId as string | undefined) || r.modelId;
  if (!modelId) throw new Error('This run does not say which model it used.');
  if (isClassify(r)) {
    const topK = edits.topK ?? (logged.topK as number | undefined) ?? 5;
    if (r.kind === 'classify') {
      await connection.call('classify.image', { image: files[0], modelId, topK });
      return null;
    }
    return (await connection.call('classify.batch', { images: files, modelId, topK })).jobId;
  }
  const params = withImages(logged, files);
  // CAM and adversarial runs log the image by name ('file' / 'image'); the request wants the image itself.
  if (r.kind === 'explain-cam' || r.kind === 'explain-adversarial') {
    delete params.file;
    params.image = files[0];
  }
  params.modelId = modelId;
  const call = connection.call.bind(connection) as (m: MethodName, p: unknown) => Promise<unknown>;
  const result = (await call(method, params)) as { jobId?: string };
  return result.jobId ?? null;
}

/** Puts the logged inputs back, in order, into every {name, bytes} whose bytes were logged as a placeholder. */
function withImages(value: Record<string, unknown>, files: { name: string; bytes: Uint8Array }[]): Record<string, unknown> {
  let next = 0;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string' && 'bytes' in o && !(o.bytes instanceof Uint8Array))
      return { ...o, bytes: files[next++]?.bytes ?? new Uint8Array() };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as Record<string, unknown>;
}
