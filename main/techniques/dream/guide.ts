// Guided DeepDream (google/deepdream "Controlling dreams"): each position of the dreamed layer is pushed
// toward the guide's feature vector it already resembles most (argmax of the dot product).
import type { TensorOut } from '../../onnx/runner';

/** For y [1, C, N] and guide g [1, C, M]: the matched guide vector per position, and the mean matched dot product. */
export function matchGuide(y: TensorOut, g: TensorOut): { direction: Float32Array; objective: number } {
  const C = y.dims[1];
  const N = y.data.length / C;
  const M = g.data.length / C;
  // Position-major copies keep the inner loop contiguous.
  const yt = new Float32Array(N * C);
  const gt = new Float32Array(M * C);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) yt[n * C + c] = y.data[c * N + n];
    for (let m = 0; m < M; m++) gt[m * C + c] = g.data[c * M + m];
  }
  const direction = new Float32Array(C * N);
  let total = 0;
  for (let n = 0; n < N; n++) {
    let best = -Infinity;
    let arg = 0;
    const yo = n * C;
    for (let m = 0; m < M; m++) {
      const go = m * C;
      let d = 0;
      for (let c = 0; c < C; c++) d += yt[yo + c] * gt[go + c];
      if (d > best) {
        best = d;
        arg = m;
      }
    }
    total += best;
    for (let c = 0; c < C; c++) direction[c * N + n] = gt[arg * C + c];
  }
  return { direction, objective: total / N };
}
