// One channel of one layer: the map at its own resolution as floats, and a colour-mapped overlay on the photo
// (scaled by the channel's min/max, upsampled half-pixel bilinear into the part of the photo the model sees,
// as the CAM overlays are). Uses the kept forward pass when it holds this photo, model and layer.
import { StudioError, type ActivationChannelResult, type ModelMeta } from '../api/contract';
import type { ActivationChannelParams } from '../api/contract-activations';
import { decodeImage } from '../image/decode';
import { renderOverlay } from '../techniques/shared/overlay';
import { inputRegion, mapToImage } from '../techniques/shared/resample';
import { forwardPass, keptPass, modelWithPath } from './forward';
import { modelIR } from '../techniques/shared/graph-index';
import { explorerLayers } from './layers';
import { channelStats } from './stats';

type Params = Required<Omit<ActivationChannelParams, 'image' | 'modelId'>>;

export async function channelView(
  metaIn: ModelMeta,
  image: { name: string; bytes: Uint8Array },
  p: Params,
): Promise<ActivationChannelResult> {
  const meta = modelWithPath(metaIn);
  // The layer by the shared naming: readable name first, then tensor name, among every spatial layer.
  const layers = explorerLayers(modelIR(meta.path).model, meta.inputSize, 'all');
  const layer = layers.find((l) => l.name === p.layer) ?? layers.find((l) => l.tensor === p.layer);
  if (!layer) {
    const some = layers
      .slice(0, 8)
      .map((l) => l.name)
      .join(', ');
    throw new StudioError('bad_request', `${meta.name} has no feature map "${p.layer}" (try: ${some}, …)`);
  }
  const pass = keptPass(meta, image.bytes, layer.tensor) ?? (await forwardPass(meta, image.name, image.bytes, 'all'));
  const m = pass.maps.find((x) => x.layer.tensor === layer.tensor)!;
  if (p.channel >= m.channels)
    throw new StudioError(
      'bad_request',
      `${layer.name} has ${m.channels} channels (0–${m.channels - 1}); there is no channel ${p.channel}`,
    );
  const plane = m.height * m.width;
  const map = m.data.slice(p.channel * plane, (p.channel + 1) * plane);
  const s = channelStats(map, 1, plane);
  const stats = { min: s.min[0], max: s.max[0], mean: s.mean[0], std: s.std[0] };

  // The photo, shrunk to maxSide, with the map spread over the region the model's input covers.
  const decoded = await decodeImage(image.name, image.bytes);
  const k = Math.min(1, p.maxSide / Math.max(decoded.width, decoded.height));
  const pw = Math.max(1, Math.round(decoded.width * k));
  const ph = Math.max(1, Math.round(decoded.height * k));
  const raw = await decoded.image.clone().resize(pw, ph, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  const rgb = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  const span = stats.max - stats.min;
  const unit = new Float32Array(plane);
  for (let i = 0; i < plane; i++) unit[i] = span > 0 ? (map[i] - stats.min) / span : 0;
  const region = inputRegion(meta.preprocessing, meta.inputSize, pw, ph);
  const full = mapToImage(unit, m.width, m.height, region, pw, ph);
  const png = await renderOverlay({ rgb, width: pw, height: ph }, full, {
    colormap: p.colormap,
    opacity: p.opacity,
    threshold: 0,
    mode: 'blended',
    colorbar: false,
  });
  return {
    layer: layer.name,
    tensor: layer.tensor,
    channel: p.channel,
    channels: m.channels,
    map: new Uint8Array(map.buffer, map.byteOffset, map.byteLength),
    width: m.width,
    height: m.height,
    stats,
    png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
    pngWidth: pw,
    pngHeight: ph,
  };
}
