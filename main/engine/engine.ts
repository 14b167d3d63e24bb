// The engine: validates every request against the contract (zod), runs its handler, and turns any
// failure into a {code, message} the UI can show. It runs in-process for the CLI and in its own
// process behind Electron or the browser-mode server.
import { z } from 'zod';
import { Methods, StudioError, type MethodName, type RequestEnvelope, type ResponseEnvelope, type StudioEvent } from '../api/contract';
import { createHandlers, type Handlers } from '../api/handlers';
import { ClientOutbox } from '../jobs/client-outbox';
import { JobManager } from '../jobs/job-manager';
import { RunLog } from '../log/run-log';
import { ModelRegistry } from '../models/registry';
import { SessionCache } from '../runtime/sessions';
import type { EngineServices } from './services';
import { releaseExposedModels } from '../activations/session';
import { releaseCamSessions } from '../techniques/cam/sessions';
import { releaseRunner } from '../techniques/create-shared/net';

export interface EngineOptions {
  transport: string;
  emit?: (event: StudioEvent) => void;
  /** Run log folder (default: logDir() under VISION_STUDIO_HOME). */
  logDir?: string;
}

export class Engine {
  readonly services: EngineServices;
  private readonly handlers: Handlers;
  private listeners = new Set<(e: StudioEvent) => void>();

  constructor(options: EngineOptions) {
    // A client in another process gets job events through the outbox (latest-wins, batched, acked previews);
    // in-process listeners see every raw event.
    const toClient = options.emit;
    const outbox = toClient ? new ClientOutbox((payload) => toClient({ channel: 'job', payload })) : undefined;
    const emit = (event: StudioEvent): void => {
      if (outbox && event.channel === 'job') outbox.push(event.payload);
      else toClient?.(event);
      for (const l of this.listeners) l(event);
    };
    const jobs = new JobManager((payload) => emit({ channel: 'job', payload }));
    // Opening the log marks runs a killed engine left open as interrupted; then every job with a `record` is logged.
    const log = new RunLog(options.logDir);
    log.watch(jobs, (jobId, e) => emit({ channel: 'job', payload: { type: 'log', jobId, message: e.message } }));
    this.services = {
      models: new ModelRegistry(),
      sessions: new SessionCache(),
      jobs,
      log,
      emit,
      outbox,
      transport: options.transport,
    };
    this.handlers = createHandlers(this.services);
  }

  onEvent(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Typed call for in-process use (CLI, tests). */
  async call<M extends MethodName>(
    method: M,
    params: z.input<(typeof Methods)[M]['params']>,
  ): Promise<z.output<(typeof Methods)[M]['result']>> {
    const response = await this.handle({ id: 0, method, params });
    if (!response.ok) throw new StudioError(response.error.code, response.error.message);
    return response.result as z.output<(typeof Methods)[M]['result']>;
  }

  async handle(request: RequestEnvelope): Promise<ResponseEnvelope> {
    const { id, method } = request;
    try {
      if (!Object.hasOwn(Methods, method)) throw new StudioError('bad_request', `Unknown method "${String(method)}".`);
      const m = method as MethodName;
      const parsed = Methods[m].params.safeParse(request.params ?? {});
      if (!parsed.success) {
        throw new StudioError(
          'bad_request',
          `${m}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`,
        );
      }
      const handler = this.handlers[m] as (p: unknown) => Promise<unknown>;
      return { id, ok: true, result: await handler(parsed.data) };
    } catch (e) {
      return { id, ok: false, error: toStudioError(e).toWire() };
    }
  }

  async dispose(): Promise<void> {
    this.services.jobs.cancelAll();
    this.services.outbox?.dispose();
    this.services.log.close();
    // Every ORT session the engine made, not only the classification cache: CAM's, Create's and the explorer's.
    await Promise.all([this.services.sessions.releaseAll(), releaseCamSessions(), releaseRunner(), releaseExposedModels()]);
  }
}

export function toStudioError(e: unknown): StudioError {
  if (e instanceof StudioError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return new StudioError('disk_full', 'The disk is full: free some space and try again.');
  return new StudioError('internal', err instanceof Error ? err.message : String(e));
}
