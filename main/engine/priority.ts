// The engine process runs its compute below the UI's priority. On a 2-core machine ONNX Runtime's threads
// would otherwise take every core from the window (Chromium's renderer, the Electron shell), and a click on
// Cancel could wait behind a whole step. With a lower priority the OS schedules the UI first whenever it has
// work and hands the engine every cycle otherwise, so throughput is unchanged on an idle desktop. Threads
// inherit the value from the thread that creates them, so this runs first thing in the engine process.
import os from 'node:os';

/** Niceness of the engine (0–19; VISION_STUDIO_ENGINE_NICE overrides, 0 turns it off). */
export function engineNice(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.VISION_STUDIO_ENGINE_NICE);
  return Number.isInteger(v) && v >= 0 && v <= 19 ? v : 10;
}

export function lowerOwnPriority(nice = engineNice()): number | null {
  if (nice === 0) return null;
  try {
    const current = os.getPriority();
    if (current < nice) os.setPriority(nice);
    return os.getPriority();
  } catch {
    return null; // not permitted (a sandbox): the engine still runs, at normal priority
  }
}
