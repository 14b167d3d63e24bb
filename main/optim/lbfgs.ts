// L-BFGS (Nocedal & Wright, alg. 7.4/7.5) over an image tensor with an Armijo backtracking line search.
// Float64 internally; deterministic. Used for feature inversion and style transfer (Gatys et al.).
export type LossAndGrad = (x: Float32Array) => Promise<{ loss: number; grad: ArrayLike<number> }>;

export interface LbfgsOptions {
  /** History size m. */
  history?: number;
  maxIter?: number;
  /** Initial step of the first iteration (later ones start at 1, as the quasi-Newton scaling applies). */
  firstStep?: number;
  /** Stop when the gradient's max-abs falls below this. */
  gradTol?: number;
  /** Stop when the loss changes by less than this (relative). */
  lossTol?: number;
  /** Called after every accepted step; return false to stop early. */
  onStep?: (iter: number, loss: number, x: Float32Array) => boolean | void;
  /** Project x after each trial step (pixel clamping). */
  project?: (x: Float32Array) => void;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Minimises f from x (updated in place). Returns the final loss and the iterations done. */
export async function lbfgsMinimize(
  f: LossAndGrad,
  x: Float32Array,
  opts: LbfgsOptions = {},
): Promise<{ loss: number; iterations: number; evaluations: number }> {
  const m = opts.history ?? 10;
  const maxIter = opts.maxIter ?? 100;
  const n = x.length;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let evals = 1;
  let { loss, grad } = await f(x);
  let g = Float64Array.from(grad);
  const d = new Float64Array(n);
  const alpha = new Array<number>(m);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax <= (opts.gradTol ?? 1e-10)) break;
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * Y[k][i];
    }
    const gamma = S.length
      ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1])
      : Math.min(1, 1 / gmax) * (opts.firstStep ?? 1);
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - beta);
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i] * Math.min(1, 1 / gmax);
      slope = dot(g, d);
    }
    // Armijo backtracking.
    const x0 = Float64Array.from(x);
    let step = 1;
    let accepted = false;
    let next = { loss, grad: grad as ArrayLike<number> };
    for (let tries = 0; tries < 20; tries++) {
      for (let i = 0; i < n; i++) x[i] = x0[i] + step * d[i];
      opts.project?.(x);
      next = await f(x);
      evals++;
      if (Number.isFinite(next.loss) && next.loss <= loss + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      for (let i = 0; i < n; i++) x[i] = x0[i];
      break;
    }
    const gNew = Float64Array.from(next.grad);
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = x[i] - x0[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const prev = loss;
    loss = next.loss;
    grad = next.grad;
    g = gNew;
    if (opts.onStep?.(iter + 1, loss, x) === false) {
      iter++;
      break;
    }
    if (Math.abs(prev - loss) <= (opts.lossTol ?? 0) * Math.max(1, Math.abs(prev))) {
      iter++;
      break;
    }
  }
  return { loss, iterations: iter, evaluations: evals };
}
