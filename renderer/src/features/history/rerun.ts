// Re-running a logged run: the original method with the logged inputs and parameters (optionally edited).
// Returns the new run's id when the engine tells it (jobs), else null (the list refresh shows the new run).
import type { RunDetail } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';
import { artifactBytes } from './artifacts';

export interface RerunEdits {
  modelId?: string;
  topK?: number;
}

export const canRerun = (r: RunDetail): boolean =>
  (r.kind === 'classify' || r.kind === 'classify-batch') && r.artifacts.some((a) => a.role === 'input');

export async function rerun(r: RunDetail, edits: RerunEdits = {}): Promise<string | null> {
  const params = (r.params ?? {}) as { modelId?: string; topK?: number };
  const modelId = edits.modelId || params.modelId || r.modelId;
  if (!modelId) throw new Error('This run does not say which model it used.');
  const topK = edits.topK ?? params.topK ?? 5;
  const inputs = r.artifacts.filter((a) => a.role === 'input').sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  const images = await Promise.all(
    inputs.map(async (a) => ({ name: a.name || `input-${a.id}`, bytes: (await artifactBytes(a.id)).bytes })),
  );
  if (r.kind === 'classify') {
    await connection.call('classify.image', { image: images[0], modelId, topK });
    return null;
  }
  if (r.kind === 'classify-batch') return (await connection.call('classify.batch', { images, modelId, topK })).jobId;
  throw new Error(`Re-run is not available for ${r.kind} runs yet.`);
}
