// One job of an in-process engine, followed from the command line (train, evaluate, project): progress on stderr at
// most every 2 s, Ctrl+C cancels the job, and the promise settles with the job's result or its error.
import type { JobEvent } from '../api/contract';
import type { Engine } from '../engine/engine';
import type { CliIO } from './io';

/**
 * Runs the job `start` begins and resolves with its result. Unless `quiet`, stderr gets a progress line at most every
 * 2 s and whatever line `describe` makes of an event (train's epoch accuracies and log messages).
 */
export async function runEngineJob<T>(
  engine: Engine,
  start: () => Promise<{ jobId: string }>,
  io: CliIO,
  quiet: boolean,
  describe: (e: JobEvent) => string | null = () => null,
): Promise<T> {
  let jobId = '';
  let lastLine = 0;
  const early: JobEvent[] = [];
  const onJob = (e: JobEvent) => {
    if (quiet) return;
    const line = describe(e);
    if (line !== null) io.err(line);
    if (e.type === 'progress' && Date.now() - lastLine > 2000) {
      lastLine = Date.now();
      io.err(
        `${(100 * e.fraction).toFixed(0)}%${e.message ? ` ${e.message}` : ''}${e.etaSeconds ? `, ${Math.round(e.etaSeconds)} s left` : ''}`,
      );
    }
  };
  // Events can arrive before start() resolves with the job's id: they wait in `early`.
  const off = engine.onEvent((ev) => {
    if (ev.channel !== 'job') return;
    if (!jobId) early.push(ev.payload);
    else if (ev.payload.jobId === jobId) onJob(ev.payload);
  });
  const stop = () => engine.services.jobs.cancel(jobId);
  process.once('SIGINT', stop);
  try {
    jobId = (await start()).jobId;
    early.filter((e) => e.jobId === jobId).forEach(onJob);
    return await engine.services.jobs.wait<T>(jobId);
  } finally {
    off();
    process.off('SIGINT', stop);
  }
}
