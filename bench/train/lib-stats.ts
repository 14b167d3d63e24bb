// Timing statistics for the training benchmarks (bench/train/run.ts, profile.ts) on this shared machine.
import { median } from '../lib/torch';

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The q-quantile (nearest rank): p10 of the step times is our estimate of the speed on a quiet machine. */
export const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/**
 * Times each named task `n` times, round-robin (so a burst of load on this shared machine hits them all): the
 * medians. `block` > 1 runs each task that many times in a row per turn and drops the first of each block: for
 * tasks that are different ORT sessions, whose intra-op pools spin after a run and slow another session's next
 * run (LeNet-5 steps 12-14 ms alternating one by one against 5.6 ms in blocks).
 */
export async function roundRobin(tasks: Record<string, () => unknown>, n: number, warm = 2, block = 1): Promise<Record<string, number>> {
  const t: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  const turns = Math.ceil(n / block) + warm;
  for (let i = 0; i < turns; i++)
    for (const [k, f] of Object.entries(tasks))
      for (let j = 0; j < (block > 1 ? block + 1 : 1); j++) {
        const t0 = performance.now();
        await f();
        if (i >= warm && (block === 1 || j > 0)) t[k].push(performance.now() - t0);
      }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
}
