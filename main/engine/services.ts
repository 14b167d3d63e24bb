// What the handlers share inside the engine process: the model registry, the ORT session cache, the job manager,
// the run log.
import type { ClientOutbox } from '../jobs/client-outbox';
import type { JobManager } from '../jobs/job-manager';
import type { ModelRegistry } from '../models/registry';
import type { SessionCache } from '../runtime/sessions';
import type { ModelMeta, StudioEvent } from '../api/contract';
import type { RunLog } from '../log/run-log';

export interface EngineServices {
  models: ModelRegistry;
  sessions: SessionCache;
  jobs: JobManager;
  /** The experiment log (every job with a `record` spec, classify.image, CLI runs). */
  log: RunLog;
  emit: (event: StudioEvent) => void;
  /** Coalesces job events on their way to a client in another process (absent in process: CLI, tests). */
  outbox?: ClientOutbox;
  transport: string;
}

/**
 * The model a request names. A window (browser mode, Electron) may name registry ids only, so a page can never
 * probe the disk for paths; the CLI and tests run the engine in process, where a path is the user's own
 * choice on the command line (its sidecar honoured).
 */
export function requestedModel(s: EngineServices, id: string): Promise<ModelMeta> {
  return s.transport === 'browser' || s.transport === 'electron' ? Promise.resolve(s.models.resolveId(id)) : s.models.resolveAsync(id);
}
