// Handlers for activations.* (contract-activations.ts).
import type { EngineServices } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { ActivationsMethods } from '../contract-activations';

type ActivationsMethod = keyof typeof ActivationsMethods;

export function activationsHandlers(_s: EngineServices): HandlerGroup<ActivationsMethod> {
  return {};
}
