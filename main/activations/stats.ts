// Per-channel statistics of an [N=1, C, H, W] float map: min, max, mean and population standard deviation
// (numpy's std, torch's std(unbiased=False)), accumulated in float64, two passes for an exact spread.
export interface StatsArrays {
  min: Float32Array;
  max: Float32Array;
  mean: Float32Array;
  std: Float32Array;
}

export function channelStats(data: Float32Array, channels: number, plane: number): StatsArrays {
  const min = new Float32Array(channels);
  const max = new Float32Array(channels);
  const mean = new Float32Array(channels);
  const std = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = 0; i < plane; i++) {
      const v = data[base + i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
    }
    const m = sum / plane;
    let sq = 0;
    for (let i = 0; i < plane; i++) {
      const d = data[base + i] - m;
      sq += d * d;
    }
    min[c] = lo;
    max[c] = hi;
    mean[c] = m;
    std[c] = Math.sqrt(sq / plane);
  }
  return { min, max, mean, std };
}

/** The wire form: one Float32Array [min…, max…, mean…, std…] as little-endian bytes. */
export function packStats(s: StatsArrays): Uint8Array {
  const n = s.min.length;
  const out = new Float32Array(4 * n);
  out.set(s.min, 0);
  out.set(s.max, n);
  out.set(s.mean, 2 * n);
  out.set(s.std, 3 * n);
  return new Uint8Array(out.buffer);
}
