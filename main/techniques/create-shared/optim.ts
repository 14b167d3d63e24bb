// The seam between the create tools and main/optim: L-BFGS (Armijo line search, so a step may take
// several evaluations; the evaluator checks for cancel before each) or Adam, with the loss before the
// first step reported so "loss_start" is the loss of the initial image.
import { Adam } from '../../optim/adam';
import { lbfgsMinimize } from '../../optim/lbfgs';
import type { Evaluation } from './net';

export interface MinimiseOptions {
  method: 'lbfgs' | 'adam';
  steps: number;
  /** Adam's learning rate in model units (L-BFGS needs none). */
  lr: number;
  /** L-BFGS memory. */
  history?: number;
  /** Keeps x in the valid pixel range after every (trial) step. */
  project?: (x: Float32Array) => void;
  /** The loss of the initial image. */
  onStart: (loss: number) => void;
  /** After every accepted step. */
  onStep: (step: number, x: Float32Array, loss: number) => void;
}

export async function minimise(f: (x: Float32Array) => Promise<Evaluation>, x: Float32Array, o: MinimiseOptions): Promise<void> {
  let first = true;
  const g = async (v: Float32Array): Promise<Evaluation> => {
    const e = await f(v);
    if (first) o.onStart(e.loss);
    first = false;
    return e;
  };
  if (o.method === 'lbfgs') {
    await lbfgsMinimize(g, x, {
      history: o.history ?? 10,
      maxIter: o.steps,
      project: o.project,
      lossTol: 0,
      onStep: (k, loss, v) => o.onStep(k, v, loss),
    });
    return;
  }
  const adam = new Adam(x.length, { lr: o.lr });
  let last = NaN;
  for (let k = 1; k <= o.steps; k++) {
    const e = await g(x);
    if (k > 1) o.onStep(k - 1, x, e.loss);
    adam.step(x, e.grad);
    o.project?.(x);
    last = e.loss;
  }
  // The loss after the last update costs one more evaluation: report it so both optimisers end alike.
  last = (await g(x)).loss;
  o.onStep(o.steps, x, last);
}
