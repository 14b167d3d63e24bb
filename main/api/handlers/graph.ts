// Handlers for graph.* (contract-graph.ts).
import type { EngineServices } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { GraphMethods } from '../contract-graph';

type GraphMethod = keyof typeof GraphMethods;

export function graphHandlers(_s: EngineServices): HandlerGroup<GraphMethod> {
  return {};
}
