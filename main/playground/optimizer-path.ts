// An optimiser's path on a playground surface: the training engine's own update rules (RULES64, torch.optim's
// definitions) stepping two float64 parameters (x, y) on the surface's analytic gradient, exactly as
// torch.optim does on a float64 tensor of two elements. Node-free: the renderer and the CLI share it.
import {
  OPTIMIZERS,
  RULES64,
  defaultHyper,
  resolveHyper,
  type Hyper,
  type OptimizerId,
  type ParamState,
  type UpdateRule,
} from '../train/optim/optimizers.js';
import type { Surface } from './surfaces.js';

/** The seven optimisers the playground races (the course's; AdamW is training-only here). */
export const PLAYGROUND_OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam'] as const;
export type PlaygroundOptimizerId = (typeof PLAYGROUND_OPTIMIZERS)[number];

export function isPlaygroundOptimizer(id: string): id is PlaygroundOptimizerId {
  return (PLAYGROUND_OPTIMIZERS as readonly string[]).includes(id);
}

/** Optimisers whose default lr depends on the surface (torch's SGD has no default lr). */
const SGD_FAMILY: readonly OptimizerId[] = ['sgd', 'momentum', 'nesterov'];

/**
 * The playground's defaults: torch.optim's (OPTIMIZERS' knob defaults: momentum 0.9 for momentum and Nesterov,
 * Adagrad lr 0.01, Adadelta lr 1 ρ 0.9, RMSprop lr 0.01 α 0.99, Adam lr 1e-3 β 0.9/0.999), except the SGD
 * family's lr, which is the surface's (Surface.sgdLr).
 */
export function playgroundDefaults(surface: Surface, kind: PlaygroundOptimizerId): Partial<Hyper> {
  const h = defaultHyper(kind);
  if (SGD_FAMILY.includes(kind)) h.lr = surface.sgdLr;
  return h;
}

/** One point of a path: position, loss there, and (after a step) the gradient used and the update taken. */
export interface PathStep {
  x: number;
  y: number;
  f: number;
  /** The gradient at the previous point (what the rule was given); null at the start. */
  grad: [number, number] | null;
  /** The move from the previous point (θₜ − θₜ₋₁); null at the start. */
  update: [number, number] | null;
}

/** Steps one optimiser on one surface, keeping the rule's state between calls (the renderer's race). */
export class PathRunner {
  readonly kind: PlaygroundOptimizerId;
  readonly hyper: Hyper;
  private readonly p: Float64Array;
  private readonly g = new Float64Array(2);
  private readonly state: ParamState<Float64Array> = { step: 0, buffers: {} };
  private last: PathStep;
  private readonly rule: UpdateRule<Float64Array>;

  constructor(
    readonly surface: Surface,
    kind: PlaygroundOptimizerId,
    start: readonly [number, number],
    hyper: Partial<Hyper> = {},
    /** Test hook: replace the update rule (the mutation tests build deliberately wrong variants). */
    rule?: UpdateRule<Float64Array>,
  ) {
    if (!isPlaygroundOptimizer(kind)) throw new RangeError(`unknown optimizer '${String(kind)}'`);
    this.kind = kind;
    this.rule = rule ?? RULES64[kind];
    this.hyper = resolveHyper(kind, { ...playgroundDefaults(surface, kind), ...hyper });
    this.p = Float64Array.of(start[0], start[1]);
    this.last = { x: start[0], y: start[1], f: surface.f(start[0], start[1]), grad: null, update: null };
  }

  get steps(): number {
    return this.state.step;
  }

  get current(): PathStep {
    return this.last;
  }

  /** One optimiser step: g = ∇f(θ), then the rule updates θ in place (state.step counts as torch's). */
  step(): PathStep {
    const [x0, y0] = this.p;
    const [gx, gy] = this.surface.grad(x0, y0);
    this.g[0] = gx;
    this.g[1] = gy;
    this.state.step += 1;
    this.rule.step(this.p, this.g, this.state, this.hyper, false);
    const [x, y] = this.p;
    this.last = { x, y, f: this.surface.f(x, y), grad: [gx, gy], update: [x - x0, y - y0] };
    return this.last;
  }
}

export interface PathOptions {
  surface: Surface;
  optimizer: PlaygroundOptimizerId;
  start: readonly [number, number];
  steps: number;
  hyper?: Partial<Hyper>;
  /** Test hook (PathRunner's rule). */
  rule?: UpdateRule<Float64Array>;
}

/** The start and the point after each step: steps + 1 rows of [x, y, f] in float64. */
export function computePath(o: PathOptions): [number, number, number][] {
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new RangeError(`steps must be a whole number ≥ 0, got ${o.steps}`);
  const r = new PathRunner(o.surface, o.optimizer, o.start, o.hyper, o.rule);
  const out: [number, number, number][] = [[o.start[0], o.start[1], r.current.f]];
  for (let i = 0; i < o.steps; i++) {
    const s = r.step();
    out.push([s.x, s.y, s.f]);
  }
  return out;
}

/** The label the UI and legend show for an optimiser (OPTIMIZERS' table). */
export function optimizerLabel(kind: PlaygroundOptimizerId): string {
  return OPTIMIZERS[kind].label;
}
