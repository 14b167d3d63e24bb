import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import { StudioError, type ModelMeta } from '../contract';
import { classifyMany, classifyOne, prepareModel, type PreparedModel } from '../../classify/classify';
import { loadLabels } from '../../models/labels';
import type { JobRunSpec } from '../../jobs/job-manager';

/** Resolves a model id to a loaded, labelled session. */
export async function loadModel(s: EngineServices, modelId: string): Promise<PreparedModel> {
  const meta: ModelMeta = await requestedModel(s, modelId);
  return prepareModel(meta, s.sessions, [...loadLabels(meta.labels)]);
}

/** What the run log keeps about a classification (the UI, the CLI and re-runs share it). */
export function runSpec(model: PreparedModel, topK: number, inputs: { name: string; bytes: Uint8Array }[]): JobRunSpec {
  return {
    modelId: model.meta.id,
    modelSha256: model.meta.sha256,
    params: { modelId: model.meta.id, topK, files: inputs.map((i) => i.name) },
    inputs,
  };
}

export function classifyHandlers(s: EngineServices): HandlerGroup<'classify.image' | 'classify.batch'> {
  return {
    'classify.image': async ({ image, modelId, topK }) => {
      const model = await loadModel(s, modelId);
      // Immediate, not a job: logged directly as a one-image run (a full disk fails the call with 'disk_full').
      const run = s.log.begin({
        kind: 'classify',
        label: `Classify ${image.name} with ${model.meta.name}`,
        ...runSpec(model, topK, [image]),
      });
      try {
        const result = await classifyOne(model, image.name, image.bytes, topK);
        run?.item(0, result);
        run?.finish('done', { result });
        return result;
      } catch (e) {
        run?.finish('failed', {
          error: e instanceof StudioError ? e.toWire() : { code: 'internal', message: e instanceof Error ? e.message : String(e) },
        });
        throw e;
      }
    },
    'classify.batch': async ({ images, modelId, topK }) => {
      const model = await loadModel(s, modelId);
      const jobId = s.jobs.start({
        kind: 'classify-batch',
        label: `Classify ${images.length} images with ${model.meta.name}`,
        // One run for the batch: inputs as artifacts, each image's result as an item.
        record: runSpec(model, topK, images),
        run: async (ctx) => {
          let done = 0;
          const results = await classifyMany(
            model,
            images.map((img) => ({ name: img.name, load: async () => img.bytes })),
            topK,
            {
              shouldStop: () => ctx.signal.aborted,
              onItem: (index, r) => {
                ctx.item(index, r);
                ctx.progress(++done / images.length, r.file);
              },
            },
          );
          ctx.throwIfCancelled();
          return results;
        },
      });
      return { jobId };
    },
  };
}
