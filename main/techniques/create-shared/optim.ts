// Stand-in minimisers for the create tools until main/optim lands (it is being written in parallel):
// L-BFGS as torch.optim.LBFGS without line search (so the PyTorch bench compares like with like) and
// Adam (Kingma & Ba). One function evaluation per step: a cancel lands within one step.
// TODO: route through main/optim once it exists; the signature below is the seam.
import type { Evaluation } from './net';

export interface MinimiseOptions {
  method: 'lbfgs' | 'adam';
  steps: number;
  /** L-BFGS: step length (torch default 1). Adam: learning rate in model units. */
  lr: number;
  /** L-BFGS memory (torch default 100; 20 keeps 1024² images inside a few GB). */
  history?: number;
  /** Called after each evaluation with the evaluation at the point before the update; may project x in place. */
  onStep: (step: number, x: Float32Array, e: Evaluation) => Promise<void> | void;
}

export async function minimise(f: (x: Float32Array) => Promise<Evaluation>, x: Float32Array, o: MinimiseOptions): Promise<Float32Array> {
  return o.method === 'adam' ? adam(f, x, o) : lbfgs(f, x, o);
}

async function adam(f: (x: Float32Array) => Promise<Evaluation>, x: Float32Array, o: MinimiseOptions): Promise<Float32Array> {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = new Float32Array(x.length);
  const v = new Float32Array(x.length);
  for (let t = 1; t <= o.steps; t++) {
    const e = await f(x);
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    for (let i = 0; i < x.length; i++) {
      const g = e.grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      x[i] -= (o.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
    await o.onStep(t, x, e);
  }
  return x;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

async function lbfgs(f: (x: Float32Array) => Promise<Evaluation>, x: Float32Array, o: MinimiseOptions): Promise<Float32Array> {
  const hist = o.history ?? 20;
  const S: Float32Array[] = [];
  const Y: Float32Array[] = [];
  const rho: number[] = [];
  let prevG: Float32Array | null = null;
  let prevD: Float32Array | null = null;
  let prevT = 0;
  let Hdiag = 1;
  for (let k = 1; k <= o.steps; k++) {
    const e = await f(x);
    const g = e.grad;
    if (!Number.isFinite(e.loss)) throw new Error('the loss is not finite (lower the learning rate or the weights)');
    if (prevG && prevD) {
      // Curvature pair from the last step: s = t·d, y = g − g_prev.
      const y = new Float32Array(g.length);
      const s = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) {
        y[i] = g[i] - prevG[i];
        s[i] = prevD[i] * prevT;
      }
      const ys = dot(y, s);
      if (ys > 1e-10) {
        if (S.length === hist) {
          S.shift();
          Y.shift();
          rho.shift();
        }
        S.push(s);
        Y.push(y);
        rho.push(1 / ys);
        Hdiag = ys / dot(y, y);
      }
    }
    // Two-loop recursion: d = −H·g.
    const q = Float32Array.from(g, (v) => -v);
    const al = new Array<number>(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      al[i] = dot(S[i], q) * rho[i];
      const yi = Y[i];
      for (let j = 0; j < q.length; j++) q[j] -= al[i] * yi[j];
    }
    for (let j = 0; j < q.length; j++) q[j] *= Hdiag;
    for (let i = 0; i < S.length; i++) {
      const be = dot(Y[i], q) * rho[i];
      const si = S[i];
      for (let j = 0; j < q.length; j++) q[j] += si[j] * (al[i] - be);
    }
    // torch: the first step is scaled by min(1, 1/‖g‖₁).
    let t = o.lr;
    if (k === 1) {
      let l1 = 0;
      for (let i = 0; i < g.length; i++) l1 += Math.abs(g[i]);
      t = Math.min(1, 1 / (l1 || 1)) * o.lr;
    }
    for (let i = 0; i < x.length; i++) x[i] += t * q[i];
    prevG = g;
    prevD = q;
    prevT = t;
    await o.onStep(k, x, e);
  }
  return x;
}
