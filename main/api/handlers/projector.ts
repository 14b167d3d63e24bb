// Handlers for projector.* (contract-projector.ts).
import type { EngineServices } from '../../engine/services';
import type { HandlerGroup } from '../handlers';
import type { ProjectorMethods } from '../contract-projector';

type ProjectorMethod = keyof typeof ProjectorMethods;

export function projectorHandlers(_s: EngineServices): HandlerGroup<ProjectorMethod> {
  return {};
}
