// Gram matrices of activations, as the loss builder defines them (G = F·Fᵀ / (C·H·W)), for the style and
// texture targets fed to the graph as "gram:<tensor>"; plus blending several styles' Grams by weight.
import type { TensorOut } from '../../onnx/runner';

export function gramOf(a: TensorOut): TensorOut {
  const C = a.dims[1];
  const N = a.data.length / C;
  const g = new Float32Array(C * C);
  const norm = 1 / (C * N);
  for (let i = 0; i < C; i++) {
    const fi = a.data.subarray(i * N, (i + 1) * N);
    for (let j = i; j < C; j++) {
      const fj = a.data.subarray(j * N, (j + 1) * N);
      let s = 0;
      for (let k = 0; k < N; k++) s += fi[k] * fj[k];
      g[i * C + j] = g[j * C + i] = s * norm;
    }
  }
  return { data: g, dims: [1, C, C] };
}

/** Σ wᵢ·Gᵢ / Σ wᵢ. */
export function blend(grams: TensorOut[], weights: number[]): TensorOut {
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const out = new Float32Array(grams[0].data.length);
  grams.forEach((g, i) => {
    const w = weights[i] / total;
    for (let k = 0; k < out.length; k++) out[k] += w * g.data[k];
  });
  return { data: out, dims: grams[0].dims };
}

export function meanSquare(t: { data: Float32Array }): number {
  let s = 0;
  for (let i = 0; i < t.data.length; i++) s += t.data[i] * t.data[i];
  return s / t.data.length || 1;
}
