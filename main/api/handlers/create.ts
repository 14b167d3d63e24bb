// create.*: DeepDream, feature inversion, texture synthesis and style transfer as compute jobs (previews,
// loss metrics, progress with ETA, cancel), plus a pre-run estimate of time and memory.
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import type { FilePayload } from '../contract';
import { estimate } from '../../techniques/create-shared/estimate';
import type { CreateTool } from '../../techniques/create-shared/params';
import { runCreate, TOOL_LABEL } from '../../techniques/create-shared/run';

type CreateMethod = 'create.dream' | 'create.invert' | 'create.texture' | 'create.style';

/** Image payloads of a request (what the run log keeps as inputs). */
function inputsOf(params: Record<string, unknown>): FilePayload[] {
  const out: FilePayload[] = [];
  for (const k of ['image', 'guide', 'sample', 'content']) {
    const v = params[k] as FilePayload | undefined;
    if (v?.bytes) out.push(v);
  }
  for (const s of (params.styles as { image: FilePayload }[] | undefined) ?? []) out.push(s.image);
  return out;
}

/** Parameters without the image bytes, for the run log. */
function loggable(params: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(params, (_k, v) => (v instanceof Uint8Array ? `${v.byteLength} bytes` : v)));
}

function start(s: EngineServices, tool: CreateTool) {
  return async (params: Record<string, unknown> & { modelId: string; seed: number }) => {
    const meta = await s.models.resolveAsync(params.modelId);
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
    'create.estimate': async (p) => estimate(await s.models.resolveAsync(p.modelId), p),
  };
}
