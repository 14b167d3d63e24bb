// Handlers for playground.* (contract-playground.ts): the slice of a trained model's loss as a compute job.
import path from 'node:path';
import { StudioError } from '../contract';
import { requestedModel, type EngineServices } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { PlaygroundMethods } from '../contract-playground';
import { computeModelSlice, type ModelSliceSpec, type SliceData } from '../../playground/model-slice';
import { resolveDataset } from '../../train/datasets';

type PlaygroundMethod = keyof typeof PlaygroundMethods;

interface TrainRunParams {
  dataset?: string;
  val?: string;
  valSplit?: number;
  seed?: number;
  mode?: string;
}

export function playgroundHandlers(s: EngineServices): HandlerGroup<PlaygroundMethod> {
  /** The model and images a request names: a train run's export on its validation split, or a model + folder. */
  async function source(p: {
    runId?: string;
    modelId?: string;
    dataset?: string;
  }): Promise<Pick<ModelSliceSpec, 'meta' | 'data' | 'mode'>> {
    if (p.runId) {
      const run = s.log.runs().get(p.runId);
      if (run.kind !== 'train') throw new StudioError('bad_request', `run ${p.runId} is a ${run.kind} run, not a training run`);
      const modelId = (run.result as { modelId?: string } | null)?.modelId;
      if (run.status !== 'done' || !modelId)
        throw new StudioError('bad_request', `training run ${p.runId} did not finish, so it has no model`);
      const rp = (run.params ?? {}) as TrainRunParams;
      let meta;
      try {
        meta = await requestedModel(s, modelId);
      } catch {
        throw new StudioError('not_found', `the model run ${p.runId} exported (${modelId}) is no longer among the studio's models`);
      }
      if (!rp.dataset) throw new StudioError('bad_request', `training run ${p.runId} does not name its dataset`);
      const data: SliceData = p.dataset
        ? { kind: 'folder', root: resolveDataset(p.dataset) }
        : {
            kind: 'run',
            root: resolveDataset(rp.dataset),
            val: rp.val ? resolveDataset(rp.val) : undefined,
            valSplit: rp.valSplit,
            seed: rp.seed,
          };
      return { meta, data, mode: rp.mode };
    }
    return { meta: await requestedModel(s, p.modelId!), data: { kind: 'folder', root: resolveDataset(p.dataset!) } };
  }

  return {
    'playground.modelSlice': async (params) => {
      const src = await source(params);
      const jobId = s.jobs.start({
        kind: 'playground-slice',
        label: `Loss slice of ${src.meta.name} on ${path.basename(src.data.root)}`,
        run: (ctx) => computeModelSlice({ ...src, grid: params.grid, span: params.span, seed: params.seed, images: params.images }, ctx),
      });
      return { jobId };
    },
  };
}
