// Handlers for playground.* (contract-playground.ts).
import type { EngineServices } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { PlaygroundMethods } from '../contract-playground';

type PlaygroundMethod = keyof typeof PlaygroundMethods;

export function playgroundHandlers(_s: EngineServices): HandlerGroup<PlaygroundMethod> {
  return {};
}
