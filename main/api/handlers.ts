// The engine's side of the contract. `Handlers` is derived from `Methods`, so a missing handler is a compile error.
import type { MethodName, ParsedParamsOf, ResultOf } from './contract';
import { StudioError } from './contract';
import type { EngineServices } from '../engine/services';
import { modelHandlers } from './handlers/models';
import { classifyHandlers } from './handlers/classify';
import { appHandlers } from './handlers/app';
import { explainHandlers } from './handlers/explain';
import { runHandlers } from './handlers/runs';
import { createHandlers as createToolHandlers } from './handlers/create';
import { trainHandlers } from './handlers/train';
import { graphHandlers } from './handlers/graph';
import { activationsHandlers } from './handlers/activations';
import { playgroundHandlers } from './handlers/playground';
import { projectorHandlers } from './handlers/projector';
import { recentHandlers } from './handlers/recent';

export type Handler<M extends MethodName> = (params: ParsedParamsOf<M>) => Promise<ResultOf<M>>;
export type Handlers = { [M in MethodName]: Handler<M> };
export type HandlerGroup<K extends MethodName> = { [M in K]: Handler<M> };

export function createHandlers(services: EngineServices): Handlers {
  return {
    ...appHandlers(services),
    ...modelHandlers(services),
    ...classifyHandlers(services),
    ...explainHandlers(services),
    ...runHandlers(services),
    ...createToolHandlers(services),
    ...trainHandlers(services),
    ...graphHandlers(services),
    ...activationsHandlers(services),
    ...playgroundHandlers(services),
    ...projectorHandlers(services),
    ...recentHandlers(),
    'jobs.list': async () => services.jobs.list(),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: services.jobs.cancel(jobId) }),
    'jobs.pause': async ({ jobId, paused }) => ({ paused: services.jobs.pause(jobId, paused) }),
    'jobs.previewTaken': async ({ jobId }) => (services.outbox?.ack(jobId), {}),
  };
}

export function notFound(what: string): never {
  throw new StudioError('not_found', what);
}
