// A computed CAM as a PNG: the overlay at the photo's resolution plus its provenance chunks.
import type { ModelMeta } from '../../api/contract';
import { renderOverlay, type OverlayOptions } from '../shared/overlay';
import { modelSha256, withProvenance } from '../shared/provenance';
import type { CamResult } from './cam';

export function camCaption(r: CamResult): string {
  const label = r.class.label.split(',')[0];
  return `${label} ${(r.class.probability * 100).toFixed(1)}% · ${r.method}`;
}

export async function camPng(
  r: CamResult,
  meta: ModelMeta,
  overlay: OverlayOptions,
  source?: string,
  smoothing: { augSmooth?: boolean; eigenSmooth?: boolean } = {},
): Promise<Buffer> {
  const png = await renderOverlay(r.image, r.full, overlay);
  return withProvenance(png, {
    technique: 'cam',
    method: r.method,
    model: meta.id,
    modelSha256: modelSha256(meta),
    layer: r.layer,
    class: { index: r.class.index, label: r.class.label },
    parameters: {
      colormap: overlay.colormap,
      opacity: overlay.opacity,
      threshold: overlay.threshold,
      mode: overlay.mode,
      augSmooth: !!smoothing.augSmooth,
      eigenSmooth: !!smoothing.eigenSmooth,
      probability: r.class.probability,
      peak: r.peak,
    },
    source,
  });
}
