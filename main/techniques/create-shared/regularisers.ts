// Image priors computed in JavaScript in pixel units (0..255), so their weights mean the same for every
// model whatever its input scaling: total variation TV^β and the α-norm (Mahendran & Vedaldi 2015).
// Both add their gradient (in model units) into `grad` and return their value.
import type { Preprocessing } from '../../api/contract';
import { unitPerPixel, type Img } from './pixels';

/** ImageNet mean pixel (RGB): the centre of the α-norm, as the paper's mean-subtracted images. */
const MEAN_RGB = [123.68, 116.78, 103.94];

/**
 * weight · Σ_c Σ_ij ((x[i,j+1]−x[i,j])² + (x[i+1,j]−x[i,j])² + ε)^(β/2), differences in pixel units
 * (the last row and column have no forward neighbour and contribute only through their predecessors).
 */
export function tvPrior(img: Img, pre: Preprocessing, beta: number, weight: number, grad: Float32Array): number {
  if (weight === 0) return 0;
  const { width: W, height: H, data } = img;
  const plane = W * H;
  let total = 0;
  const half = beta / 2;
  for (let c = 0; c < 3; c++) {
    const k = unitPerPixel(pre, c);
    const inv = 1 / k;
    const o = c * plane;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = o + y * W + x;
        const a = x + 1 < W ? (data[i + 1] - data[i]) * inv : 0;
        const b = y + 1 < H ? (data[i + W] - data[i]) * inv : 0;
        const s = a * a + b * b + 1e-8;
        const p = beta === 2 ? s : Math.pow(s, half);
        total += p;
        // d/da = β·a·s^(β/2−1), back to model units with 1/k.
        const f = weight * (beta === 2 ? 2 : beta * (p / s)) * inv;
        if (x + 1 < W) {
          grad[i + 1] += f * a;
          grad[i] -= f * a;
        }
        if (y + 1 < H) {
          grad[i + W] += f * b;
          grad[i] -= f * b;
        }
      }
    }
  }
  return weight * total;
}

/** weight · Σ |pixel − mean pixel|^α (pixel units). */
export function alphaPrior(img: Img, pre: Preprocessing, alpha: number, weight: number, grad: Float32Array): number {
  if (weight === 0) return 0;
  const plane = img.width * img.height;
  const order = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  let total = 0;
  for (let c = 0; c < 3; c++) {
    const k = unitPerPixel(pre, c);
    const off = pre.mean[c] / pre.scale; // pixel = x·std/scale + mean/scale
    const centre = MEAN_RGB[order[c]];
    const o = c * plane;
    for (let i = 0; i < plane; i++) {
      const d = img.data[o + i] / k + off - centre;
      const ad = Math.abs(d);
      const p = Math.pow(ad, alpha - 1);
      total += p * ad;
      grad[o + i] += (weight * alpha * p * Math.sign(d)) / k;
    }
  }
  return weight * total;
}
