// Colours of the playground: one per optimiser (Tableau 10, readable on both themes and on the surface's
// muted ramp) and the height ramp of the surface (dark navy valleys to pale sand peaks, low saturation, so
// the trails stay the brightest things in the picture).
import type { PlaygroundOptimizerId } from '../../../../main/playground/optimizer-path';

export const OPTIMIZER_COLORS: Record<PlaygroundOptimizerId, string> = {
  sgd: '#e15759',
  momentum: '#f28e2b',
  nesterov: '#edc948',
  adagrad: '#59a14f',
  adadelta: '#76b7b2',
  rmsprop: '#4e79a7',
  adam: '#b07aa1',
};

// Stops of the height ramp, t in [0, 1].
const RAMP: [number, [number, number, number]][] = [
  [0, [22, 38, 74]],
  [0.25, [36, 84, 122]],
  [0.5, [66, 132, 140]],
  [0.75, [150, 170, 140]],
  [1, [232, 220, 190]],
];

/** The ramp's colour at t ∈ [0, 1] as 0–255 RGB. */
export function rampRgb(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 1));
  for (let i = 1; i < RAMP.length; i++) {
    const [t1, c1] = RAMP[i];
    if (u <= t1) {
      const [t0, c0] = RAMP[i - 1];
      const a = (u - t0) / (t1 - t0);
      return [c0[0] + a * (c1[0] - c0[0]), c0[1] + a * (c1[1] - c0[1]), c0[2] + a * (c1[2] - c0[2])];
    }
  }
  return RAMP[RAMP.length - 1][1];
}

/** A CSS custom property's value on the document (theme colours for canvases and WebGL). */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
