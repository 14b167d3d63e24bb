// Score-CAM (Wang et al. 2020), gradient-free: each activation channel, upsampled to the input size
// (bilinear, align_corners as torch UpsamplingBilinear2d) and min-max normalised (+1e-8: the NaN guard
// for flat channels), masks the input; the class score of each masked input, softmaxed over channels,
// weights the channels. Flat channels give an all-zero mask, so their score is computed once.
import type { CamHooks } from './cam';
import { softmaxWeights } from './methods';
import { resizeBilinear } from '../shared/resample';
import type { CamGraphs, Tensor32 } from './sessions';

export async function scoreCamWeights(
  graphs: CamGraphs,
  input: Float32Array,
  dims: number[],
  activation: Tensor32,
  classIndex: number,
  batchSize: number,
  hooks: CamHooks,
): Promise<Float32Array> {
  const [, c, h, w] = activation.dims;
  const nchw = dims[1] === 3;
  const H = nchw ? dims[2] : dims[1];
  const W = nchw ? dims[3] : dims[2];
  const plane = H * W;
  const per = 3 * plane;
  const scores = new Float32Array(c);
  const live: number[] = [];
  const flat: number[] = [];
  for (let k = 0; k < c; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < h * w; i++) {
      const v = activation.data[k * h * w + i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    (hi - lo > 0 ? live : flat).push(k);
  }
  const batch = Math.max(1, Math.min(batchSize, graphs.maxBatch));
  if (flat.length) {
    const zero = await graphs.logits(new Float32Array(per), [1, ...dims.slice(1)]);
    for (const k of flat) scores[k] = zero.data[classIndex];
  }
  const mask = new Float32Array(plane);
  const buf = new Float32Array(per * batch);
  for (let start = 0; start < live.length; start += batch) {
    hooks.throwIfCancelled?.();
    const chunk = live.slice(start, start + batch);
    chunk.forEach((k, j) => {
      resizeBilinear(activation.data.subarray(k * h * w, (k + 1) * h * w), w, h, W, H, true, mask);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of mask) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const s = 1 / (hi - lo + 1e-8);
      const o = j * per;
      if (nchw) {
        for (let ch = 0; ch < 3; ch++) for (let i = 0; i < plane; i++) buf[o + ch * plane + i] = input[ch * plane + i] * (mask[i] - lo) * s;
      } else {
        for (let i = 0; i < plane; i++) for (let ch = 0; ch < 3; ch++) buf[o + i * 3 + ch] = input[i * 3 + ch] * (mask[i] - lo) * s;
      }
    });
    const n = chunk.length;
    const out = await graphs.logits(n === batch ? buf : buf.slice(0, n * per), [n, ...dims.slice(1)]);
    const k0 = out.data.length / n;
    chunk.forEach((k, j) => (scores[k] = out.data[j * k0 + classIndex]));
    hooks.progress?.((start + n) / live.length, `Score-CAM: ${start + n} of ${live.length} channels`);
  }
  return softmaxWeights(scores);
}
