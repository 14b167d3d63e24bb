// Estimates that learn this machine: the engine's estimate comes from the graph alone (MACs, activations,
// steps), and its cost per unit varies with the CPU, its load and the model's ops (depthwise convolutions,
// Clip, …). After each run the ratio of what the run took to what the graph promised is kept per model and
// tool (in localStorage, so it survives restarts), and the next estimate for that pair is scaled by it.

export interface Calibration {
  /** Measured ÷ estimated, for the part of the time that scales with the work (setup excluded). */
  factor: number;
  /** Runs it was learned from. */
  runs: number;
}

/** What the engine counts as fixed cost (session build, process start); it does not scale with the work. */
export const SETUP_SECONDS = 1;
const KEY = 'vs.create.calibration';
const MIN = 0.05;
const MAX = 50;

export const calibrationKey = (modelId: string, tool: string): string => `${modelId}|${tool}`;

/** The engine's estimate scaled by what this machine measured for the same model and tool. */
export function calibrated(rawSeconds: number, cal: Calibration | undefined): number {
  if (!cal) return rawSeconds;
  const work = Math.max(0, rawSeconds - SETUP_SECONDS);
  return SETUP_SECONDS + work * cal.factor;
}

/**
 * Learns from one run: the new ratio enters as a geometric mean with what was known, the latest run weighted
 * most (half), so a changed machine load is followed within a couple of runs and one outlier cannot swing it far.
 */
export function learn(cal: Calibration | undefined, rawSeconds: number, measuredSeconds: number): Calibration {
  const work = Math.max(0.05, rawSeconds - SETUP_SECONDS);
  const took = Math.max(0.05, measuredSeconds - SETUP_SECONDS);
  const ratio = Math.min(MAX, Math.max(MIN, took / work));
  if (!cal) return { factor: ratio, runs: 1 };
  const factor = Math.exp(0.5 * Math.log(cal.factor) + 0.5 * Math.log(ratio));
  return { factor: Math.min(MAX, Math.max(MIN, factor)), runs: cal.runs + 1 };
}

/** The page's localStorage (typed here so this module also compiles, and is unit-tested, outside the DOM). */
const storage = (): { getItem(k: string): string | null; setItem(k: string, v: string): void } | undefined =>
  (globalThis as { localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;

export function loadCalibrations(): Record<string, Calibration> {
  try {
    const v = JSON.parse(storage()?.getItem(KEY) ?? '{}') as Record<string, Calibration>;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

export function saveCalibrations(all: Record<string, Calibration>): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(all));
  } catch {
    /* private mode: estimates are simply not remembered */
  }
}

/** "12 s", "3 min", "1.5 h". */
export function duration(s: number): string {
  return s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** How far an estimate was from what happened, in words: "estimated 12 s, took 14 s". */
export function estimateVsActual(estimated: number, took: number): string {
  return `estimated ${duration(estimated)}, took ${duration(took)}`;
}
