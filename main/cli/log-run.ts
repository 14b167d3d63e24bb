// CLI work is logged like UI jobs, in the same database: one run per command. A logging failure (full disk,
// unreadable database) is said once on stderr and never fails the command itself.
import type { Engine } from '../engine/engine';
import type { BeginRun } from '../log/run-log';
import type { CliIO } from './io';

export function logCliRun<T>(engine: Engine, io: CliIO, spec: BeginRun, work: () => Promise<T>): Promise<T> {
  let said = false;
  return engine.services.log.record(
    spec,
    () => work(),
    (e) => {
      if (!said) io.err(`run log: ${e.message}`);
      said = true;
    },
  );
}
