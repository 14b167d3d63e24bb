// What the handlers share inside the engine process: the model registry, the ORT session cache, the job manager.
import type { JobManager } from '../jobs/job-manager';
import type { ModelRegistry } from '../models/registry';
import type { SessionCache } from '../runtime/sessions';
import type { StudioEvent } from '../api/contract';

export interface EngineServices {
  models: ModelRegistry;
  sessions: SessionCache;
  jobs: JobManager;
  emit: (event: StudioEvent) => void;
  transport: string;
}
