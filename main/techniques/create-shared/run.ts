// One entry for the four tools: parse parameters (zod, literature defaults) and run the technique.
import type { ModelMeta } from '../../api/contract';
import { dream } from '../dream/dream';
import { invert } from '../invert/invert';
import { styleTransfer } from '../style/style';
import { texture } from '../texture/texture';
import { DreamParams, InvertParams, StyleParams, TextureParams, type CreateResult, type CreateTool } from './params';
import type { Reporter } from './progress';
import { estimateInput, timedRun } from './estimate-here';

export const TOOL_LABEL: Record<CreateTool, string> = {
  dream: 'DeepDream',
  invert: 'Feature inversion',
  texture: 'Texture synthesis',
  style: 'Style transfer',
};

/** Runs a tool, timed: the result says what the run took and what was estimated for it, and the estimate learns. */
export function runCreate(tool: CreateTool, meta: ModelMeta, params: unknown, r: Reporter): Promise<CreateResult> {
  switch (tool) {
    case 'dream': {
      const p = DreamParams.parse(params);
      return timedRun(meta, estimateInput(tool, p), () => dream(meta, p, r));
    }
    case 'invert': {
      const p = InvertParams.parse(params);
      return timedRun(meta, estimateInput(tool, p), () => invert(meta, p, r));
    }
    case 'texture': {
      const p = TextureParams.parse(params);
      return timedRun(meta, estimateInput(tool, p), () => texture(meta, p, r));
    }
    case 'style': {
      const p = StyleParams.parse(params);
      return timedRun(meta, estimateInput(tool, p), () => styleTransfer(meta, p, r));
    }
  }
}

/** Style and texture prefer VGG19 (Gatys et al.); any CNN works. */
export function preferredModel(tool: CreateTool, available: ModelMeta[]): ModelMeta | undefined {
  const ok = available.filter((m) => m.status === 'available' && m.path);
  const vgg = ok.find((m) => /vgg.?19/i.test(m.id + m.name)) ?? ok.find((m) => /vgg/i.test(m.id + m.name));
  if ((tool === 'style' || tool === 'texture') && vgg) return vgg;
  return ok.find((m) => /darknet|vgg/i.test(m.id)) ?? ok[0];
}
