import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import type { ModelMeta } from '../contract';
import { classifyMany, classifyOne, prepareModel, type PreparedModel } from '../../classify/classify';
import { loadLabels } from '../../models/labels';

/** Resolves a model id to a loaded, labelled session. */
export async function loadModel(s: EngineServices, modelId: string): Promise<PreparedModel> {
  const meta: ModelMeta = await s.models.resolveAsync(modelId);
  return prepareModel(meta, s.sessions, [...loadLabels(meta.labels)]);
}

export function classifyHandlers(s: EngineServices): HandlerGroup<'classify.image' | 'classify.batch'> {
  return {
    'classify.image': async ({ image, modelId, topK }) => {
      const model = await loadModel(s, modelId);
      return classifyOne(model, image.name, image.bytes, topK);
    },
    'classify.batch': async ({ images, modelId, topK }) => {
      const model = await loadModel(s, modelId);
      const jobId = s.jobs.start({
        kind: 'classify-batch',
        label: `Classify ${images.length} images with ${model.meta.name}`,
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
