// Shared by the hostile-corpus tests: a real engine child process and its peak memory.
import fs from 'node:fs';
import path from 'node:path';
import { EngineClient } from '../../../main/engine/engine-client';
import { forkEngine } from '../../../main/engine/fork-engine';

export function startEngine(home: string): EngineClient {
  return new EngineClient(() =>
    forkEngine(path.resolve('main/engine/engine-process.ts'), { ...process.env, VISION_STUDIO_HOME: home }, ['--import', 'tsx']),
  );
}

/** Peak resident memory of a process in MiB (Linux /proc VmHWM); null where /proc is absent. */
export function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Rejects when `p` takes longer than `ms` (a hang on a FIFO must fail the test, not stall the suite). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms (a hang?)`)), ms))]);
}
