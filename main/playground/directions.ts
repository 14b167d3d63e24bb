// Filter-normalised random directions (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets", §4):
// a Gaussian direction d with the shape of each weight, then for every filter f (one output channel of a conv,
// one output unit of a Gemm/MatMul) d_f ← d_f / ‖d_f‖ · ‖θ_f‖, so a step of 1 along d moves each filter by its
// own size and the slice does not depend on the network's scale invariances. Biases and batch-norm parameters
// get no direction (they are not listed). Node-free and pure, so a tiny model checks it in a unit test.
import type { Rng } from '../optim/rng.js';

export interface SlicedWeight {
  name: string;
  dims: number[];
  /** The axis whose index names a filter (output channel / unit): 0 for Conv and transB Gemm, else the last. */
  filterAxis: number;
  data: Float32Array;
}

/** Elements of one filter: the indices with index `f` along `axis` (row-major dims). */
function forEachFilter(dims: number[], axis: number, visit: (f: number, indices: (k: number) => number, count: number) => void): void {
  const filters = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const count = outer * inner;
  for (let f = 0; f < filters; f++) visit(f, (k) => (Math.floor(k / inner) * filters + f) * inner + (k % inner), count);
}

/**
 * One filter-normalised direction per weight, drawn from `rng` in the weights' order (float64, so the
 * normalisation is exact before the perturbed weights are rounded to float32). A filter whose weights are all
 * zero gets a zero direction (‖θ_f‖ = 0).
 */
export function filterNormalizedDirection(weights: readonly SlicedWeight[], rng: Rng): Float64Array[] {
  return weights.map((w) => {
    const d = Float64Array.from(w.data, () => rng.normal());
    forEachFilter(w.dims, w.filterAxis, (_f, at, count) => {
      let dn = 0;
      let wn = 0;
      for (let k = 0; k < count; k++) {
        const i = at(k);
        dn += d[i] * d[i];
        wn += w.data[i] * w.data[i];
      }
      const scale = dn > 0 ? Math.sqrt(wn) / Math.sqrt(dn) : 0;
      for (let k = 0; k < count; k++) d[at(k)] *= scale;
    });
    return d;
  });
}

/** ‖·‖ of each filter of a tensor (tests and the docs' check). */
export function filterNorms(data: ArrayLike<number>, dims: number[], axis: number): number[] {
  const out: number[] = [];
  forEachFilter(dims, axis, (f, at, count) => {
    let s = 0;
    for (let k = 0; k < count; k++) s += data[at(k)] ** 2;
    out[f] = Math.sqrt(s);
  });
  return out;
}

/** θ + α·d₁ + β·d₂ into `out` (float32, what the session is fed). */
export function perturb(
  theta: Float32Array,
  d1: Float64Array,
  d2: Float64Array,
  alpha: number,
  beta: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < theta.length; i++) out[i] = theta[i] + alpha * d1[i] + beta * d2[i];
  return out;
}
