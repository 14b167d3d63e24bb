// A loss sampled on a grid (the model slice) as a playground Surface: bicubic (Catmull–Rom) interpolation of
// the samples with its analytic gradient, so the seven optimisers step on it with the same rules as on the
// analytic surfaces. C¹ inside the grid and equal to the samples at the nodes. Outside the grid the position is
// clamped to the edge and the gradient along the clamped axis is 0 (a path that leaves stops being pushed
// outwards). Node-free: the renderer and the CLI share it.
import type { Surface } from './surfaces.js';

export interface LossGrid {
  /** Evenly spaced, ascending. */
  alphas: number[];
  betas: number[];
  /** loss[j][i] = L at (alphas[i], betas[j]): one row per β. */
  loss: number[][];
}

/** Catmull–Rom weights of the four samples around t ∈ [0, 1] and their derivatives in t. */
function weights(t: number): [number[], number[]] {
  const t2 = t * t;
  const t3 = t2 * t;
  return [
    [(-t3 + 2 * t2 - t) / 2, (3 * t3 - 5 * t2 + 2) / 2, (-3 * t3 + 4 * t2 + t) / 2, (t3 - t2) / 2],
    [(-3 * t2 + 4 * t - 1) / 2, (9 * t2 - 10 * t) / 2, (-9 * t2 + 8 * t + 1) / 2, (3 * t2 - 2 * t) / 2],
  ];
}

export interface GridSurfaceInfo {
  label?: string;
  formula?: string;
}

export function gridSurface(grid: LossGrid, info: GridSurfaceInfo = {}): Surface {
  const { alphas: xs, betas: ys, loss } = grid;
  const nx = xs.length;
  const ny = ys.length;
  if (nx < 2 || ny < 2 || loss.length !== ny || loss.some((r) => r.length !== nx))
    throw new RangeError(`a loss grid needs at least 2 × 2 samples with loss[β][α], got ${ny} rows of ${loss[0]?.length ?? 0}`);
  const hx = (xs[nx - 1] - xs[0]) / (nx - 1);
  const hy = (ys[ny - 1] - ys[0]) / (ny - 1);
  // Samples beyond the edge continue the edge's slope (linear extrapolation), so the border cells are cubic too.
  const at = (i: number, j: number): number => {
    if (i < 0) return 2 * at(0, j) - at(1, j);
    if (i >= nx) return 2 * at(nx - 1, j) - at(nx - 2, j);
    if (j < 0) return 2 * at(i, 0) - at(i, 1);
    if (j >= ny) return 2 * at(i, ny - 1) - at(i, ny - 2);
    return loss[j][i];
  };
  const cell = (u: number, n: number): [number, number] => {
    const k = Math.min(n - 2, Math.max(0, Math.floor(u)));
    return [k, u - k];
  };
  const evaluate = (x: number, y: number): [number, number, number] => {
    const cx = Math.min(xs[nx - 1], Math.max(xs[0], x));
    const cy = Math.min(ys[ny - 1], Math.max(ys[0], y));
    const [i, tx] = cell((cx - xs[0]) / hx, nx);
    const [j, ty] = cell((cy - ys[0]) / hy, ny);
    const [wx, dwx] = weights(tx);
    const [wy, dwy] = weights(ty);
    let f = 0;
    let fx = 0;
    let fy = 0;
    for (let b = 0; b < 4; b++)
      for (let a = 0; a < 4; a++) {
        const v = at(i - 1 + a, j - 1 + b);
        f += wx[a] * wy[b] * v;
        fx += dwx[a] * wy[b] * v;
        fy += wx[a] * dwy[b] * v;
      }
    return [f, cx === x ? fx / hx : 0, cy === y ? fy / hy : 0];
  };
  let lo = Infinity;
  let argmin: [number, number] = [0, 0];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++)
      if (loss[j][i] < lo) {
        lo = loss[j][i];
        argmin = [xs[i], ys[j]];
      }
  const surface: Surface = {
    id: 'model',
    label: info.label ?? "Your model's loss",
    formula: info.formula ?? 'L(θ + αδ + βη)',
    f: (x, y) => evaluate(x, y)[0],
    grad: (x, y) => {
      const [, gx, gy] = evaluate(x, y);
      return [gx, gy];
    },
    domain: { x: [xs[0], xs[nx - 1]], y: [ys[0], ys[ny - 1]] },
    minima: [argmin],
    start: [Math.min(xs[nx - 1], Math.max(xs[0], 0)), Math.min(ys[ny - 1], Math.max(ys[0], 0))],
    sgdLr: 1,
    logHeight: false,
  };
  surface.sgdLr = stableLr(surface, grid);
  return surface;
}

/**
 * SGD's default lr on a sampled loss: 1/λmax of the Hessian (half the stability limit 2/λmax) estimated from the
 * interpolant's gradient differences at every grid node, rounded down to 1, 2 or 5 × 10^k.
 */
function stableLr(s: Surface, grid: LossGrid): number {
  const h = 1e-4 * (s.domain.x[1] - s.domain.x[0]);
  let lmax = 0;
  for (const y of grid.betas)
    for (const x of grid.alphas) {
      const cx = Math.min(s.domain.x[1] - h, Math.max(s.domain.x[0] + h, x));
      const cy = Math.min(s.domain.y[1] - h, Math.max(s.domain.y[0] + h, y));
      const [ax, ay] = s.grad(cx + h, cy);
      const [bx, by] = s.grad(cx - h, cy);
      const [cxx, cyx] = s.grad(cx, cy + h);
      const [dxx, dyx] = s.grad(cx, cy - h);
      const hxx = (ax - bx) / (2 * h);
      const hyy = (cyx - dyx) / (2 * h);
      const hxy = ((ay - by) / (2 * h) + (cxx - dxx) / (2 * h)) / 2;
      const lam = (hxx + hyy) / 2 + Math.sqrt(((hxx - hyy) / 2) ** 2 + hxy * hxy);
      if (Number.isFinite(lam)) lmax = Math.max(lmax, lam);
    }
  if (lmax <= 0) return 0.1;
  const raw = 1 / lmax;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [5, 2, 1].map((m) => m * p).find((v) => v <= raw) ?? p;
}
