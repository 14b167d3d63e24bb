// The estimate a person sees before Run, for this machine as it is now: the graph's figure for the steps
// (estimate.ts) times what runs of the same model and tool measured here, plus their session builds unless
// this process has the sessions already, times how much other programs stretch work at the moment
// (machine-load.ts). Every finished run teaches the calibration (calibration.ts) and states the estimate
// made for it beside what it took.
import type { ModelMeta } from '../../api/contract';
import { calibrationFor, record } from './calibration';
import { graphEstimate, SETUP_SECONDS, type EstimateInput } from './estimate';
import { probeStretch, stretchNow } from './machine-load';
import { buildClock } from './net';
import type { CreateResult, CreateTool, DreamParams, InvertParams, StyleParams, TextureParams } from './params';

export interface HereEstimate {
  seconds: number;
  peakMb: number;
  note: string;
  /** Runs of this model and tool the figure learned from (0: the graph alone). */
  runs: number;
  /** How much longer than on an idle machine work takes now, with what other programs run (1: not at all). */
  stretch: number;
}

/**
 * The settings whose gradient sessions this process has built (they stay cached). DeepDream's depend on the
 * model and layers only; the other tools bake weights from their images' features into the session, so a
 * rerun with the same images and size reuses it and a new photo builds anew.
 */
const built = new Set<string>();
const warmKey = (meta: ModelMeta, e: EstimateInput) =>
  e.tool === 'dream'
    ? `${meta.id}|dream|${e.layers.join(',')}`
    : `${meta.id}|${e.tool}|${e.layers.join(',')}|${e.size}|${(e.scales ?? []).join(',')}|${(e.inputs ?? []).join(';')}`;
const isWarm = (meta: ModelMeta, e: EstimateInput) => built.has(warmKey(meta, e));

/** The stretch seen by the latest estimate, so the estimate a run states matches the one on screen. */
let lastStretch = { stretch: 1, at: -Infinity };
/** The stretch the latest run met, and when it ended. */
let lastRun = { stretch: 1, at: -Infinity };
/** How long a run's stretch still says something about the load now. */
const RUN_MEMORY_MS = 60_000;

/** The estimate for this machine when other programs stretch work by `stretch`. */
export function estimateWith(meta: ModelMeta, e: EstimateInput, stretch: number): HereEstimate {
  const g = graphEstimate(meta, e);
  const cal = calibrationFor(meta.id, e.tool);
  const setup = isWarm(meta, e) ? 0 : (cal?.setupSeconds ?? SETUP_SECONDS);
  const seconds = (setup + g.stepSeconds * (cal?.factor ?? 1)) * stretch;
  return { seconds, peakMb: g.peakMb, note: g.note, runs: cal?.runs ?? 0, stretch };
}

/** As shown: tenths of a second (short runs are learned from what they took, which whole seconds would blur). */
const tenths = (h: HereEstimate): HereEstimate => ({
  ...h,
  seconds: Math.round(h.seconds * 10) / 10,
  stretch: Math.round(h.stretch * 100) / 100,
});

/**
 * create.estimate: measures how loaded the machine is for a moment, then estimates. While the engine runs a
 * job of its own (`busy`) a probe would slow it and measure it: the latest figures stand in.
 */
export async function estimateNow(meta: ModelMeta, e: EstimateInput, busy = false): Promise<HereEstimate> {
  if (busy) return tenths(estimateWith(meta, e, Math.max(lastStretch.stretch, lastRun.stretch)));
  const probe = await stretchNow(graphEstimate(meta, e).threads);
  // A quarter-second probe catches the load of that moment; a run that ended lately met it for longer: both
  // are noisy views of the load the next run will meet, so a recent run's is averaged in (geometrically).
  const stretch = Date.now() - lastRun.at < RUN_MEMORY_MS ? Math.sqrt(probe * lastRun.stretch) : probe;
  lastStretch = { stretch, at: Date.now() };
  return tenths(estimateWith(meta, e, stretch));
}

/** An image as the estimate request names it: "name:bytes" (the page sends its files' names and sizes). */
const fingerprint = (img: { name: string; bytes: Uint8Array }) => `${img.name}:${img.bytes.length}`;

/** What the estimate request would have been for a job's parameters (the page sends the same). */
export function estimateInput(tool: CreateTool, p: DreamParams | InvertParams | TextureParams | StyleParams): EstimateInput {
  if (tool === 'style') {
    const s = p as StyleParams;
    const layers = s.styleLayers.length || s.contentLayer ? [...s.styleLayers, ...(s.contentLayer ? [s.contentLayer] : [])] : [];
    const inputs = [s.content, ...s.styles.map((x) => x.image)].map(fingerprint);
    return { tool, size: s.size, steps: s.steps, layers, scales: s.scales.length ? s.scales : undefined, inputs };
  }
  if (tool === 'texture') {
    const t = p as TextureParams;
    return { tool, size: t.size, steps: t.steps, layers: t.layers, inputs: [fingerprint(t.sample)] };
  }
  const q = p as DreamParams | InvertParams;
  const inputs = [q.image, ...(tool === 'dream' && (q as DreamParams).guide ? [(q as DreamParams).guide!] : [])].map(fingerprint);
  return {
    tool,
    size: q.size,
    steps: q.steps,
    layers: q.layers,
    octaves: tool === 'dream' ? (q as DreamParams).octaves : undefined,
    inputs,
  };
}

/**
 * Runs a job, timing it: the whole run, and of it the session builds and target passes; learns from them
 * (normalised by the load other programs put on the machine meanwhile) and returns the result with the
 * time it took and the estimate made for it.
 */
export async function timedRun(meta: ModelMeta, e: EstimateInput, run: () => Promise<CreateResult>): Promise<CreateResult> {
  const t0 = performance.now();
  const load = probeStretch();
  const build0 = buildClock();
  // Reading the model is setup too (the page's estimate has usually read it already).
  const read0 = performance.now();
  const graph = graphEstimate(meta, e);
  const readMs = performance.now() - read0;
  const recent = Date.now() - lastStretch.at < 120_000 ? lastStretch.stretch : 1;
  const stated = tenths(estimateWith(meta, e, recent)).seconds;
  const result = await run();
  const totalSeconds = (performance.now() - t0) / 1000;
  const stretch = load.end();
  lastRun = { stretch, at: Date.now() };
  const buildMs = buildClock() - build0;
  record(meta.id, e.tool, {
    graphSeconds: graph.stepSeconds,
    totalSeconds,
    setupSeconds: (buildMs + readMs) / 1000,
    slowdown: stretch,
    built: buildMs > 0,
  });
  built.add(warmKey(meta, e));
  return { ...result, ms: Math.round(totalSeconds * 1000), estimatedSeconds: stated, stretch: Math.round(stretch * 100) / 100 };
}
