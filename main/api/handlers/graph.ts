// Handlers for graph.* (contract-graph.ts): the architecture view's facts, computed from the model's ONNX graph
// (no session is created). The last descriptions are kept: the view asks again when only the selection changes.
import fs from 'node:fs';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { GraphDescription, GraphMethods } from '../contract-graph';
import { StudioError, type ModelMeta } from '../contract';
import { describeModel } from '../../onnx/arch/describe';
import { weightStats } from '../../onnx/arch/weights';
import { modelIR } from '../../techniques/shared/graph-index';

type GraphMethod = keyof typeof GraphMethods;

async function onDisk(s: EngineServices, modelId: string): Promise<ModelMeta & { path: string }> {
  const meta = await requestedModel(s, modelId);
  if (!meta.path || meta.status !== 'available')
    throw new StudioError('model_missing', `${meta.name} is not on disk yet: download it from the Models panel.`);
  return meta as ModelMeta & { path: string };
}

const recent = new Map<string, GraphDescription>();

export function graphHandlers(s: EngineServices): HandlerGroup<GraphMethod> {
  return {
    'graph.describe': async ({ modelId, size }) => {
      const meta = await onDisk(s, modelId);
      const hw: [number, number] = size ?? meta.inputSize;
      const key = `${meta.path}|${fs.statSync(meta.path).mtimeMs}|${hw.join('x')}|${meta.preprocessing.layout}`;
      const hit = recent.get(key);
      if (hit) return hit;
      const { model } = modelIR(meta.path);
      const d = describeModel(model, { name: meta.id, size: hw, layout: meta.preprocessing.layout });
      recent.set(key, d);
      if (recent.size > 4) recent.delete(recent.keys().next().value as string);
      return d;
    },
    'graph.weights': async ({ modelId, tensor, bins }) => {
      const meta = await onDisk(s, modelId);
      return weightStats(modelIR(meta.path).model, tensor, bins);
    },
  };
}
