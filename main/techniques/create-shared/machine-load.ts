// How much other programs stretch our compute, for time estimates. Linux keeps, per thread, the time it ran
// and the time it waited, ready, for a core (/proc/<pid>/task/<tid>/schedstat): (ran + waited) / ran over a
// stretch of work is how much longer that work took than on an idle machine. During a run it is read from
// every thread of this process; before a run, from a short busy loop on as many threads as the compute uses
// (the engine is idle then). Without schedstat (macOS, Windows) the stretch is taken as 1 and the calibration absorbs the
// machine's usual load.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

type Stat = Map<string, { ran: number; waited: number }>;

function read(file: string): { ran: number; waited: number } | null {
  try {
    const [ran, waited] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(ran) && Number.isFinite(waited) ? { ran, waited } : null;
  } catch {
    return null;
  }
}

function threads(): Stat | null {
  let tids: string[];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out: Stat = new Map();
  for (const t of tids) {
    const s = read(`/proc/self/task/${t}/schedstat`);
    if (s) out.set(t, s);
  }
  return out.size ? out : null;
}

/** (ran + waited) / ran between two readings; threads that started in between count from zero. */
function stretchBetween(a: Stat, b: Stat): number {
  let ran = 0;
  let waited = 0;
  for (const [tid, s] of b) {
    const p = a.get(tid) ?? { ran: 0, waited: 0 };
    ran += s.ran - p.ran;
    waited += s.waited - p.waited;
  }
  return ran > 0 ? Math.max(1, (ran + waited) / ran) : 1;
}

export interface StretchProbe {
  /** How much longer this process's work took than it would have on an idle machine, since the probe began. */
  end(): number;
}

/** Starts measuring how other programs stretch this process's work (all its threads). */
export function probeStretch(): StretchProbe {
  const a = threads();
  return { end: () => (a ? stretchBetween(a, threads() ?? a) : 1) };
}

// A worker that spins for the given milliseconds and reports how long it ran and waited for a core.
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const read = () => fs.readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\\s+/).map(Number);
try {
  const a = read();
  const t = performance.now(); let x = 0;
  while (performance.now() - t < workerData) x += Math.sqrt(x + 1);
  const b = read();
  parentPort.postMessage({ ran: b[0] - a[0], waited: b[1] - a[1], x });
} catch { parentPort.postMessage(null); }
`;

/**
 * The stretch right now: `threads` threads (as many as the compute uses) each spin for `ms` milliseconds,
 * and their waiting for a core is set against their running, as the run's own threads will meet it.
 */
export async function stretchNow(threads: number, ms = 250): Promise<number> {
  if (!fs.existsSync('/proc/thread-self/schedstat')) return 1;
  const runs = await Promise.all(
    Array.from(
      { length: Math.max(1, threads) },
      () =>
        new Promise<{ ran: number; waited: number } | null>((resolve) => {
          const w = new Worker(SPIN, { eval: true, workerData: ms });
          w.once('message', (m: { ran: number; waited: number } | null) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', () => resolve(null));
        }),
    ),
  );
  let ran = 0;
  let waited = 0;
  for (const r of runs) {
    ran += r?.ran ?? 0;
    waited += r?.waited ?? 0;
  }
  return ran > 0 ? Math.max(1, (ran + waited) / ran) : 1;
}
