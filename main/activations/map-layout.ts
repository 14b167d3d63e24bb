// A layer's fetched activation as NCHW planes for the explorer. Most layers already are; tokens (ViT: [1, T, C]
// on the patch grid, leading class tokens dropped) and channels-last maps (Swin, ConvNeXt blocks: [1, H, W, C])
// are rearranged as their map view says (the same views dream, style and CAM use), so a plane is one channel.
import type { MapView } from '../onnx/map-view';

export interface Planes {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

export function asPlanes(view: MapView | undefined, data: Float32Array, dims: readonly number[]): Planes {
  if (view?.kind === 'channels-last' && dims.length === 4) {
    const [, h, w, c] = dims;
    return { data: transposeToPlanes(data, 0, h * w, c), channels: c, height: h, width: w };
  }
  if (view?.kind === 'tokens' && view.grid && dims.length === 3) {
    const c = dims[2];
    const [h, w] = view.grid.grid;
    return { data: transposeToPlanes(data, view.grid.skip, h * w, c), channels: c, height: h, width: w };
  }
  const [, c, h, w] = dims.length === 4 ? dims : [1, dims[1] ?? 1, 1, 1];
  return { data, channels: c, height: h, width: w };
}

/** [skip + p, c] rows (position-major) → [c, p] planes, for p < positions. */
function transposeToPlanes(src: Float32Array, skip: number, positions: number, channels: number): Float32Array {
  const out = new Float32Array(channels * positions);
  for (let p = 0; p < positions; p++) {
    const row = (skip + p) * channels;
    for (let c = 0; c < channels; c++) out[c * positions + p] = src[row + c];
  }
  return out;
}
