// The network side of every create tool: one GradRunner per process (sessions cached per model, objective
// and size class) and an evaluator that adds the JavaScript image priors to ORT's loss and gradient.
import type { Objective, WeightedObjective } from '../../onnx/loss';
import { StudioError } from '../../api/contract';
import { GradRunner, type GradResult, type TensorOut } from '../../onnx/runner';
import { defaultThreads } from '../../runtime/sessions';
import { gramOf } from './gram';
import type { CreateModel } from './model';
import { dims, type Img } from './pixels';
import type { Tracker } from './progress';

let shared: GradRunner | null = null;
/**
 * Milliseconds this process spent getting gradient sessions ready: building them (a cached one is handed
 * over at once) and their first run (ORT allocates its buffers then), the setup a run needs that does not
 * scale with its steps and that a rerun does not pay; a job reads it before and after (estimate-here.ts).
 */
let buildMs = 0;
export const buildClock = (): number => buildMs;
/** The objective specs whose sessions the runner has built, per model (it keeps them until released). */
let built = new WeakMap<object, Set<string>>();
const specKey = (spec: object) => JSON.stringify(spec);
function firstBuild(cm: CreateModel, spec: object): boolean {
  let specs = built.get(cm.ir);
  if (!specs) built.set(cm.ir, (specs = new Set()));
  if (specs.has(specKey(spec))) return false;
  specs.add(specKey(spec));
  return true;
}

export function runner(): GradRunner {
  return (shared ??= new GradRunner({ threads: defaultThreads() }));
}

/** Frees every cached gradient session (tests, engine shutdown). */
export async function releaseRunner(): Promise<void> {
  const r = shared;
  shared = null;
  built = new WeakMap();
  await r?.release();
}

/** A gradient session whose every run is checked: a NaN or infinite loss or gradient stops the job. */
export interface NetSession {
  run(input: Float32Array, dims: number[], targets?: Record<string, TensorOut>): Promise<GradResult>;
}

export async function session(
  cm: CreateModel,
  objectives: WeightedObjective[],
  img: { width: number; height: number },
  taps: string[] = [],
): Promise<NetSession> {
  // float64 accumulation where no target is fed (the runner feeds targets as float32, and a float64 loss
  // would want them as doubles): float32 summation noise can stall a line search near convergence.
  const doubleLoss = objectives.every((o) => o.objective.kind !== 'content' && o.objective.kind !== 'style');
  const spec = { objectives, taps, doubleLoss };
  let first = firstBuild(cm, spec);
  const t0 = performance.now();
  const s = await runner()
    .session(cm.ir, spec, dims(img))
    .catch((e: unknown) => {
      built.get(cm.ir)?.delete(specKey(spec)); // not built after all
      throw e;
    });
  if (first) buildMs += performance.now() - t0;
  return {
    async run(input, d, targets) {
      const t1 = performance.now();
      const r = await s.run(input, d, targets);
      if (first) buildMs += performance.now() - t1;
      first = false;
      checkFinite(cm, objectives, r.loss, r.grad);
      return r;
    },
  };
}

/** The objectives' layers in readable names: "relu4_2 (content), relu1_1 (style)". */
export function describeObjectives(cm: CreateModel, objectives: WeightedObjective[]): string {
  return objectives
    .map((o) => `${cm.layers.find((l) => l.tensor === o.objective.tensor)?.name ?? o.objective.tensor} (${o.objective.kind})`)
    .join(', ');
}

/**
 * Refuses a non-finite network loss or gradient instead of letting the optimiser stall on it (it would
 * end after 0 steps with the image unchanged and nothing said).
 */
export function checkFinite(cm: CreateModel, objectives: WeightedObjective[], loss: number, grad: Float32Array): void {
  let bad = !Number.isFinite(loss);
  for (let i = 0; !bad && i < grad.length; i++) bad = !Number.isFinite(grad[i]);
  if (!bad) return;
  const what = Number.isNaN(loss) ? 'is NaN' : !Number.isFinite(loss) ? 'is infinite' : `is ${loss} but its gradient is not finite`;
  throw new StudioError(
    'bad_model',
    `${cm.meta.name}: the loss ${what} at ${describeObjectives(cm, objectives)}: the activations there overflow or vanish ` +
      `in float32 (an untrained or broken layer, or a weight that divides by zero); choose other layers`,
  );
}

/**
 * Forward activations of `tensors` for one image (content/style targets): a forward-only session built
 * for the call and released after it, so its memory does not stay with the cached gradient sessions.
 */
export async function activations(cm: CreateModel, tensors: string[], img: Img): Promise<Record<string, TensorOut>> {
  try {
    return await runner().taps(cm.ir, tensors, img.data, dims(img));
  } catch {
    // A model that pins its input size runs only through the gradient path (which makes H×W symbolic).
    return activationsCached(cm, tensors, img);
  }
}

/**
 * Targets for several images from one forward session: `taps` as they are and, for `grams`, their Gram
 * matrices as "gram:<tensor>" (content and style targets, texture samples).
 */
export async function forwardTargets(
  cm: CreateModel,
  spec: { taps?: string[]; grams?: string[] },
  imgs: Img[],
): Promise<Record<string, TensorOut>[]> {
  try {
    return await runner().forward(
      cm.ir,
      spec,
      imgs.map((img) => ({ data: img.data, dims: dims(img) })),
    );
  } catch {
    // A model that pins its input size runs only through the gradient path (which makes H×W symbolic).
    const out: Record<string, TensorOut>[] = [];
    for (const img of imgs) {
      const a = await activationsCached(cm, [...(spec.taps ?? []), ...(spec.grams ?? [])], img);
      out.push({ ...a, ...Object.fromEntries((spec.grams ?? []).map((t) => [`gram:${t}`, gramOf(a[t])])) });
    }
    return out;
  }
}

/** The same, through a cached session: for activations needed every step (guided dream). */
export async function activationsCached(cm: CreateModel, tensors: string[], img: Img): Promise<Record<string, TensorOut>> {
  // A cheap objective on the first tensor makes a cached gradient session serve as a forward pass.
  const objective: Objective = { kind: 'meansq', tensor: tensors[0] };
  const s = await session(cm, [{ objective, weight: 1 }], img, tensors);
  return (await s.run(img.data, dims(img))).taps;
}

export interface Evaluation {
  loss: number;
  grad: Float32Array;
  parts: Record<string, number>;
  /** The session's tapped tensors at x. */
  taps: Record<string, TensorOut>;
}

/** A JS term: adds its gradient into `grad`, returns its value. */
export type Prior = (img: Img, grad: Float32Array) => number;

/** f(x) = network objective + priors; checks for cancellation before each run (one per line-search probe). */
export function evaluator(
  s: NetSession,
  shape: { width: number; height: number },
  targets: Record<string, TensorOut>,
  priors: Record<string, Prior>,
  track?: Tracker,
) {
  return async (x: Float32Array): Promise<Evaluation> => {
    track?.check();
    const img = { data: x, width: shape.width, height: shape.height };
    const r = await s.run(x, dims(img), targets);
    const grad = Float32Array.from(r.grad);
    const parts: Record<string, number> = { net: r.loss };
    let loss = r.loss;
    for (const [name, prior] of Object.entries(priors)) {
      const v = prior(img, grad);
      parts[name] = v;
      loss += v;
    }
    return { loss, grad, parts, taps: r.taps };
  };
}
