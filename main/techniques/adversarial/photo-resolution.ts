// The adversarial example at the photo's own resolution: the perturbation found at the model's input
// size, stretched (bilinear, as CAMs are) over the part of the photo the model sees, added to the
// photo's pixels and rounded toward them, so |δ| ≤ ε holds here too. Outside that part (a centre
// crop's margins) the photo is unchanged. Whether it still fools the model is measured, not assumed:
// the caller classifies it through the model's own preprocessing.
import type { Preprocessing } from '../../api/contract';
import type { DecodedImage } from '../../image/decode';
import type { RgbImage } from '../cam/cam';
import { inputRegion, mapToImage } from '../shared/resample';

/**
 * `orig` and `adv` are the model-size pixels before and after the attack (RGB, interleaved, w×h);
 * `eps` is the budget in grey levels.
 */
export async function perturbPhoto(
  decoded: DecodedImage,
  pre: Preprocessing,
  size: [number, number],
  orig: Uint8Array,
  adv: Uint8Array,
  eps: number,
): Promise<RgbImage> {
  const [h, w] = size;
  const { data, info } = await decoded.image.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const W = info.width;
  const H = info.height;
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const region = inputRegion(pre, size, W, H);
  const plane = new Float32Array(w * h);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane.length; i++) plane[i] = adv[i * 3 + c] - orig[i * 3 + c];
    const d = mapToImage(plane, w, h, region, W, H); // NaN outside what the model sees
    for (let i = 0; i < d.length; i++) {
      if (Number.isNaN(d[i])) continue;
      const step = Math.max(-eps, Math.min(eps, Math.trunc(d[i])));
      out[i * 3 + c] = Math.max(0, Math.min(255, out[i * 3 + c] + step));
    }
  }
  return { rgb: out, width: W, height: H };
}
