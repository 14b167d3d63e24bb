// One CAM at the layer's resolution for one input: channel weights by the chosen method, combined as
// Σ_k w_k A_k or, with eigen smoothing, as the first principal component of the weighted activations
// (pytorch-grad-cam's get_2d_projection, from Muhammad & Yeasin's Eigen-CAM, 2020).
import { StudioError } from '../../api/contract';
import { gradCamPlusPlusWeights, gradCamWeights, normalize, relu, weightedSum, type CamMethod } from './methods';
import { scoreCamWeights } from './score-cam';
import type { CamGraphs, Tensor32 } from './sessions';
import type { CamHooks } from './cam';

export interface MapInput {
  graphs: CamGraphs;
  input: Float32Array;
  dims: number[];
  activation: Tensor32;
  extras: Record<string, Tensor32>;
}

export interface MapOptions {
  method: CamMethod;
  index: number;
  eigenSmooth?: boolean;
  batchSize?: number;
}

export async function camMap(m: MapInput, o: MapOptions, hooks: CamHooks = {}): Promise<{ raw: Float32Array; map: Float32Array }> {
  const { graphs, activation } = m;
  const [, c, h, w] = activation.dims;
  const plane = h * w;
  const a = activation.data;
  // Per-channel weights, or (HiResCAM) per-element weights.
  let weights: Float32Array;
  let elementwise = false;
  if (o.method === 'cam') {
    const cls = graphs.head.classifier;
    if (!cls || graphs.layer !== graphs.head.target || cls.channels !== c) {
      throw new StudioError(
        'bad_request',
        `plain CAM needs a global-average-pool + linear head reading layer "${graphs.layer}"; use gradcam for this model or layer`,
      );
    }
    weights = cls.weight.subarray(o.index * c, (o.index + 1) * c);
  } else if (o.method === 'scorecam') {
    weights = await scoreCamWeights(graphs, m.input, m.dims, activation, o.index, o.batchSize ?? 16, hooks);
  } else {
    const onehot = new Float32Array(graphs.classes);
    onehot[o.index] = 1;
    const g = (await graphs.gradient(activation, m.extras, onehot)).data;
    if (o.method === 'hirescam') {
      weights = g;
      elementwise = true;
    } else weights = o.method === 'gradcam' ? gradCamWeights(g, c, plane) : gradCamPlusPlusWeights(a, g, c, plane);
  }
  const weighted = (k: number, i: number) => (elementwise ? weights[k * plane + i] : weights[k]) * a[k * plane + i];
  let raw: Float32Array;
  if (o.eigenSmooth) raw = eigenProjection(weighted, c, plane);
  else if (elementwise) {
    raw = new Float32Array(plane);
    for (let k = 0; k < c; k++) for (let i = 0; i < plane; i++) raw[i] += weighted(k, i);
  } else raw = weightedSum(a, c, plane, weights);
  return { raw, map: normalize(o.method === 'cam' ? raw : relu(raw)) };
}

/**
 * Projection of the (positions × channels) matrix X, centred per channel, on its first right singular
 * vector (power iteration on XᵀX). The sign SVD leaves open is fixed so the map agrees with Σ_k X.
 */
export function eigenProjection(x: (k: number, i: number) => number, c: number, plane: number): Float32Array {
  const X = new Float64Array(plane * c);
  for (let k = 0; k < c; k++) {
    let mean = 0;
    for (let i = 0; i < plane; i++) mean += x(k, i);
    mean /= plane;
    for (let i = 0; i < plane; i++) X[i * c + k] = x(k, i) - mean;
  }
  let v = new Float64Array(c).fill(1 / Math.sqrt(c));
  const xv = new Float64Array(plane);
  for (let it = 0; it < 100; it++) {
    for (let i = 0; i < plane; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += X[i * c + k] * v[k];
      xv[i] = s;
    }
    const next = new Float64Array(c);
    for (let i = 0; i < plane; i++) for (let k = 0; k < c; k++) next[k] += X[i * c + k] * xv[i];
    let norm = 0;
    for (const t of next) norm += t * t;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    let delta = 0;
    for (let k = 0; k < c; k++) {
      next[k] /= norm;
      delta += Math.abs(next[k] - v[k]);
    }
    v = next;
    if (delta < 1e-9) break;
  }
  const out = new Float32Array(plane);
  let agree = 0;
  for (let i = 0; i < plane; i++) {
    let s = 0;
    let sum = 0;
    for (let k = 0; k < c; k++) {
      s += X[i * c + k] * v[k];
      sum += x(k, i);
    }
    out[i] = s;
    agree += s * sum;
  }
  if (agree < 0) for (let i = 0; i < plane; i++) out[i] = -out[i];
  return out;
}
