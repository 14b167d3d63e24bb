import { createRequire } from 'node:module';
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { studioHome } from '../../paths';
import { defaultThreads } from '../../runtime/sessions';
import { APP_VERSION } from '../../version';

const require = createRequire(import.meta.url);

export function appHandlers(s: EngineServices): HandlerGroup<'app.info'> {
  return {
    'app.info': async () => ({
      version: APP_VERSION,
      home: studioHome(),
      transport: s.transport,
      ortVersion: (require('onnxruntime-node/package.json') as { version: string }).version,
      threads: defaultThreads(),
    }),
  };
}
