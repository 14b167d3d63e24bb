// Handlers for activations.* (contract-activations.ts): the explorer's run is a compute job (logged as a run
// with the photo as its input and the small summary as its result); atlases and single channels are answered
// at once from what the engine keeps.
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { ActivationsMethods } from '../contract-activations';
import { exploreActivations, keptAtlases } from '../../activations/explore';
import { channelView } from '../../activations/channel';
import { modelWithPath } from '../../activations/forward';
import { modelSha256 } from '../../techniques/shared/provenance';

type ActivationsMethod = keyof typeof ActivationsMethods;

export function activationsHandlers(s: EngineServices): HandlerGroup<ActivationsMethod> {
  return {
    'activations.run': async ({ image, modelId, ...params }) => {
      const meta = modelWithPath(await requestedModel(s, modelId));
      const jobId = s.jobs.start({
        kind: 'activations',
        label: `Activations of ${image.name} in ${meta.name}`,
        record: { modelId: meta.id, modelSha256: modelSha256(meta), params: { file: image.name, ...params }, inputs: [image] },
        run: (ctx) => exploreActivations(meta, image, params, { progress: ctx.progress, throwIfCancelled: ctx.throwIfCancelled }),
      });
      return { jobId };
    },
    'activations.atlas': async ({ key, layers }) => ({ layers: keptAtlases(key, layers) }),
    'activations.channel': async ({ image, modelId, ...params }) => channelView(await requestedModel(s, modelId), image, params),
  };
}
