// Estimated and measured times in words. The estimate itself learns this machine in the engine
// (main/techniques/create-shared/calibration.ts): per model and tool, from every finished run.

/** "12 s", "3 min", "1.5 h". */
export function duration(s: number): string {
  return s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/**
 * How far an estimate was from what happened, in words: "estimated 12 s, took 14 s", and when other programs
 * slowed the run markedly (`stretch`, 1 on an idle machine) by how much, which is what a far-off estimate is then about.
 */
export function estimateVsActual(estimated: number, took: number, stretch = 1): string {
  const busy = stretch >= 1.5 ? ` (other programs slowed it ${stretch.toFixed(1)}×)` : '';
  return `estimated ${duration(estimated)}, took ${duration(took)}${busy}`;
}

/** Where the estimate comes from, for the line under it; `stretch`: how much other programs slow work now. */
export function estimateBasis(runs: number, stretch: number): string {
  const learned =
    runs > 0
      ? `Learned from ${runs} run${runs === 1 ? '' : 's'} of this model and tool here.`
      : 'From the graph alone: the first run here teaches it this machine.';
  return stretch >= 1.2 ? `${learned} Other programs slow work down ${stretch.toFixed(1)}× now; allowed for.` : learned;
}
