// runs.*: the experiment log (main/log) over the contract.
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { Thumbnails } from '../../log/thumbnails';
import { exportRuns, importRuns } from '../../log/transfer';

export function runHandlers(
  s: EngineServices,
): HandlerGroup<
  | 'runs.list'
  | 'runs.get'
  | 'runs.artifact'
  | 'runs.thumbnail'
  | 'runs.tag'
  | 'runs.note'
  | 'runs.delete'
  | 'runs.restore'
  | 'runs.export'
  | 'runs.import'
> {
  const runs = () => s.log.runs();
  const thumbnails = new Thumbnails(runs);
  return {
    'runs.list': async (filter) => runs().list(filter),
    'runs.get': async ({ id }) => runs().get(id),
    'runs.artifact': async ({ artifactId }) => runs().artifact(artifactId),
    'runs.thumbnail': async ({ artifactId, size }) => thumbnails.get(artifactId, size),
    'runs.tag': async ({ id, add, remove }) => ({ tags: runs().tag(id, add, remove) }),
    'runs.note': async ({ id, text }) => ({ note: runs().note(id, text) }),
    'runs.delete': async ({ ids }) => ({ deleted: runs().delete(ids) }),
    'runs.restore': async ({ ids }) => ({ restored: runs().restore(ids) }),
    'runs.export': async ({ ids }) => exportRuns(runs(), ids),
    'runs.import': async ({ file }) => importRuns(runs(), file.bytes, file.name),
  };
}
