import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { loadLabels } from '../../models/labels';

export function modelHandlers(
  s: EngineServices,
): HandlerGroup<'models.list' | 'models.pull' | 'models.import' | 'models.update' | 'models.remove' | 'models.labels'> {
  const changed = (): void => s.emit({ channel: 'models.changed', payload: {} });
  return {
    'models.list': async () => s.models.list(),
    'models.pull': async ({ id }) => {
      const meta = s.models.get(id);
      const jobId = s.jobs.start({
        kind: 'download',
        label: `Download ${meta.name}`,
        lane: 'io',
        run: async (ctx) => {
          changed();
          try {
            await s.models.pull(id, {
              signal: ctx.signal,
              onProgress: (received: number, total: number | null) =>
                ctx.progress(
                  total ? received / total : 0,
                  `${(received / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`,
                ),
            });
          } finally {
            changed();
          }
          return s.models.get(id);
        },
      });
      return { jobId };
    },
    'models.import': async ({ file, sidecar }) => {
      const meta = await s.models.import({ name: file.name, bytes: file.bytes }, sidecar);
      changed();
      return meta;
    },
    'models.update': async ({ id, patch }) => {
      const meta = s.models.update(id, patch);
      changed();
      return meta;
    },
    'models.remove': async ({ id }) => {
      const removed = await s.models.remove(id);
      await s.sessions.releaseAll();
      changed();
      return { removed };
    },
    'models.labels': async ({ id }) => [...loadLabels(s.models.get(id).labels)],
  };
}
