// The race: the seven optimisers stepping on one surface from one start, each with its own hyperparameters,
// with the training engine's own float64 rules (PathRunner). Steps are a 2-parameter update each (well under a
// microsecond), so the race runs on the UI thread; trails live outside $state and `version` signals redraws.
import {
  PLAYGROUND_OPTIMIZERS,
  PathRunner,
  playgroundDefaults,
  type PathStep,
  type PlaygroundOptimizerId,
} from '../../../../main/playground/optimizer-path';
import { SURFACES, type Surface, type SurfaceId } from '../../../../main/playground/surfaces';
import type { Hyper } from '../../../../main/train/optim/optimizers';

/** Steps kept per trail (the race stops there). */
export const MAX_STEPS = 10_000;

export interface RacerView {
  kind: PlaygroundOptimizerId;
  enabled: boolean;
  step: PathStep;
  steps: number;
  diverged: boolean;
  /** Why the hyperparameters were refused (torch's constructor checks), or null. */
  error: string | null;
}

/** The analytic surfaces, or 'model': a slice of a trained model's loss (model-slice.svelte.ts). */
export type RaceSurfaceId = SurfaceId | 'model';

class Race {
  surfaceId = $state<RaceSurfaceId>('rosenbrock');
  /** The surface of 'model' (a sampled loss, interpolated); null until one was computed. */
  private custom = $state.raw<Surface | null>(null);
  start = $state<[number, number]>([...SURFACES.rosenbrock.start]);
  playing = $state(false);
  /** Optimiser steps per animation frame. */
  speed = $state(2);
  /** Step-by-step mode: gradient and update arrows drawn at each marker. */
  stepMode = $state(false);
  enabled = $state<Record<PlaygroundOptimizerId, boolean>>(
    Object.fromEntries(PLAYGROUND_OPTIMIZERS.map((k) => [k, true])) as Record<PlaygroundOptimizerId, boolean>,
  );
  /** The user's hyperparameters over the playground's defaults, per optimiser. */
  overrides = $state<Partial<Record<PlaygroundOptimizerId, Partial<Hyper>>>>({});
  /** Bumped after every change of the trails: views redraw on it. */
  version = $state(0);
  steps = $state(0);

  // Deliberately not reactive: thousands of points a second; views redraw on `version` instead.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private runners = new Map<PlaygroundOptimizerId, PathRunner>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private errors = new Map<PlaygroundOptimizerId, string>();
  /** x, y, f triples per optimiser, start included. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly trails = new Map<PlaygroundOptimizerId, number[]>();

  constructor() {
    this.reset();
  }

  get surface(): Surface {
    return this.surfaceId === 'model' && this.custom ? this.custom : SURFACES[this.surfaceId === 'model' ? 'rosenbrock' : this.surfaceId];
  }

  hyperOf(kind: PlaygroundOptimizerId): Partial<Hyper> {
    return { ...playgroundDefaults(this.surface, kind), ...this.overrides[kind] };
  }

  /** Every optimiser back at the start, with its current hyperparameters. */
  reset(): void {
    this.runners.clear();
    this.errors.clear();
    for (const kind of PLAYGROUND_OPTIMIZERS) {
      try {
        this.runners.set(kind, new PathRunner(this.surface, kind, this.start, this.hyperOf(kind)));
      } catch (e) {
        this.errors.set(kind, (e as Error).message);
      }
      this.trails.set(kind, [this.start[0], this.start[1], this.surface.f(this.start[0], this.start[1])]);
    }
    this.steps = 0;
    this.version++;
  }

  /** n steps of every enabled optimiser (a diverged one stops where it left the numbers). */
  step(n = 1): void {
    const todo = Math.min(n, MAX_STEPS - this.steps);
    for (let k = 0; k < todo; k++) {
      for (const [kind, r] of this.runners) {
        if (!this.enabled[kind] || this.isDiverged(r.current)) continue;
        const s = r.step();
        this.trails.get(kind)!.push(s.x, s.y, s.f);
      }
    }
    this.steps += todo;
    if (this.steps >= MAX_STEPS) this.playing = false;
    this.version++;
  }

  setStart(x: number, y: number): void {
    this.start = [x, y];
    this.playing = false;
    this.reset();
  }

  setSurface(id: SurfaceId): void {
    this.surfaceId = id;
    this.start = [...SURFACES[id].start];
    this.overrides = {};
    this.playing = false;
    this.reset();
  }

  /** Races on a computed surface (a model's loss slice), from its start (0, 0: the trained weights). */
  setCustomSurface(surface: Surface): void {
    this.custom = surface;
    this.surfaceId = 'model';
    this.start = [...surface.start];
    this.overrides = {};
    this.playing = false;
    this.reset();
  }

  setHyper(kind: PlaygroundOptimizerId, name: keyof Hyper, value: number | boolean): void {
    this.overrides = { ...this.overrides, [kind]: { ...this.overrides[kind], [name]: value } };
    this.reset();
  }

  resetHyper(kind: PlaygroundOptimizerId): void {
    const next = { ...this.overrides };
    delete next[kind];
    this.overrides = next;
    this.reset();
  }

  private isDiverged(s: PathStep): boolean {
    return !Number.isFinite(s.x) || !Number.isFinite(s.y) || !Number.isFinite(s.f);
  }

  /** What the legend and the scenes show, one row per optimiser (reads `version`, so it is reactive). */
  view(): RacerView[] {
    void this.version;
    return PLAYGROUND_OPTIMIZERS.map((kind) => {
      const r = this.runners.get(kind);
      const start: PathStep = { x: this.start[0], y: this.start[1], f: this.surface.f(...this.start), grad: null, update: null };
      const step = r?.current ?? start;
      return {
        kind,
        enabled: this.enabled[kind],
        step,
        steps: r?.steps ?? 0,
        diverged: this.isDiverged(step),
        error: this.errors.get(kind) ?? null,
      };
    });
  }
}

export const race = new Race();
export type { Race };
