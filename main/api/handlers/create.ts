// create.*: DeepDream, feature inversion, texture synthesis and style transfer as compute jobs (previews,
// loss metrics, progress with ETA, cancel), plus a pre-run estimate of time and memory.
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import { estimateNow } from '../../techniques/create-shared/estimate-here';
import type { CreateTool } from '../../techniques/create-shared/params';
import { runCreate, TOOL_LABEL } from '../../techniques/create-shared/run';
import { inputsOf, loggable } from '../../techniques/create-shared/run-record';

type CreateMethod = 'create.dream' | 'create.invert' | 'create.texture' | 'create.style';

function start(s: EngineServices, tool: CreateTool) {
  return async (params: Record<string, unknown> & { modelId: string; seed: number }) => {
    const meta = await requestedModel(s, params.modelId);
    const name = (inputsOf(params)[0]?.name ?? '').split(/[\\/]/).pop();
    const jobId = s.jobs.start({
      kind: `create-${tool}`,
      label: `${TOOL_LABEL[tool]}${name ? ` of ${name}` : ''} with ${meta.name}`,
      record: { modelId: meta.id, modelSha256: meta.sha256, params: loggable(params), seed: params.seed, inputs: inputsOf(params) },
      run: (ctx) => runCreate(tool, meta, params, ctx),
    });
    return { jobId };
  };
}

export function createHandlers(s: EngineServices): HandlerGroup<CreateMethod | 'create.estimate'> {
  return {
    'create.dream': start(s, 'dream'),
    'create.invert': start(s, 'invert'),
    'create.texture': start(s, 'texture'),
    'create.style': start(s, 'style'),
    'create.estimate': async (p) =>
      estimateNow(
        await requestedModel(s, p.modelId),
        p,
        s.jobs.list().some((j) => j.state === 'running'),
      ),
  };
}
