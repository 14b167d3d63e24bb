// Estimates that learn this machine. The graph gives the work (MACs, activations, evaluations) but its cost
// per unit varies with the CPU and the model's ops (depthwise convolutions, Clip, …), and every run builds
// sessions the steps do not account for. After each run the engine keeps, per model and tool: the ratio of
// the steps' measured time to the graph's figure, and the setup time (session builds, target passes), both
// as they would be on an idle machine (divided by how much other programs stretched the run), in
// $VISION_STUDIO_HOME/create-timings.json so they survive restarts.
import path from 'node:path';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../../models/store';
import { studioHome } from '../../paths';

export const Calibration = z.object({
  /** Measured step time ÷ the graph's figure, on an idle machine. */
  factor: z.number().positive(),
  /**
   * Seconds a run that builds its sessions needs beyond its steps, on an idle machine: the builds, and on a
   * first run the one-off costs too (the first forward pass, compiling the JavaScript). Unknown until one did.
   */
  setupSeconds: z.number().nonnegative().optional(),
  /** Runs it was learned from. */
  runs: z.number().int().positive(),
  /** Of which reruns that reused their sessions: their steps are the steps alone. */
  warmRuns: z.number().int().nonnegative().default(0),
});
export type Calibration = z.infer<typeof Calibration>;

const MIN = 0.05;
const MAX = 50;
const Store = z.record(z.string(), Calibration);
let loaded: { file: string; all: Record<string, Calibration> } | null = null;

const file = (): string => path.join(studioHome(), 'create-timings.json');
export const calibrationKey = (modelId: string, tool: string): string => `${modelId}|${tool}`;

function all(): Record<string, Calibration> {
  const f = file();
  if (loaded?.file === f) return loaded.all;
  const r = readJson(f);
  const parsed = r.ok ? Store.safeParse(r.value) : null;
  // A missing or damaged file only means estimates start again from the graph.
  loaded = { file: f, all: parsed?.success ? parsed.data : {} };
  return loaded.all;
}

export function calibrationFor(modelId: string, tool: string): Calibration | undefined {
  return all()[calibrationKey(modelId, tool)];
}

export interface Measured {
  /** The graph's figure for the steps, idle machine, seconds. */
  graphSeconds: number;
  /** What the run took, seconds, setup included. */
  totalSeconds: number;
  /** Of which session builds and target passes. */
  setupSeconds: number;
  /** How much other programs stretched the run (1: not at all; machine-load.ts). */
  slowdown: number;
  /** Whether this run built its gradient sessions (a rerun of DeepDream reuses them). */
  built: boolean;
}

/**
 * Learns from one run; new figures enter as a (geometric, for the ratio) mean with what was known, the latest
 * run weighted half, so a changed machine is followed within a couple of runs and one outlier cannot swing it
 * far. A rerun that reused its sessions measures the steps alone: the first one replaces a factor learned from
 * runs that built theirs (whose steps carry one-off costs), and it says nothing about setup. A run that built
 * its sessions, once the steps' cost is known from reruns, teaches setup as all it took beyond them.
 */
export function learn(cal: Calibration | undefined, m: Measured): Calibration {
  const steps = Math.max(0.02, m.totalSeconds - m.setupSeconds) / m.slowdown;
  const ratio = clamp(steps / Math.max(1e-3, m.graphSeconds));
  const runs = (cal?.runs ?? 0) + 1;
  if (!cal) return { factor: ratio, setupSeconds: m.built ? m.setupSeconds / m.slowdown : undefined, runs, warmRuns: m.built ? 0 : 1 };
  if (!m.built)
    return { ...cal, factor: cal.warmRuns > 0 ? clamp(Math.sqrt(cal.factor * ratio)) : ratio, runs, warmRuns: cal.warmRuns + 1 };
  const setup =
    cal.warmRuns > 0
      ? Math.max(m.setupSeconds, m.totalSeconds - m.graphSeconds * cal.factor * m.slowdown) / m.slowdown
      : m.setupSeconds / m.slowdown;
  return {
    factor: cal.warmRuns > 0 ? cal.factor : clamp(Math.sqrt(cal.factor * ratio)),
    setupSeconds: cal.setupSeconds === undefined ? setup : (cal.setupSeconds + setup) / 2,
    runs,
    warmRuns: cal.warmRuns,
  };
}

const clamp = (f: number) => Math.min(MAX, Math.max(MIN, f));

/** Records a run of `modelId` with `tool` and saves the store. */
export function record(modelId: string, tool: string, m: Measured): Calibration {
  const store = all();
  const key = calibrationKey(modelId, tool);
  store[key] = learn(store[key], m);
  try {
    writeJsonAtomic(file(), store);
  } catch {
    /* a read-only data folder: the estimate is still learned for this session */
  }
  return store[key];
}
