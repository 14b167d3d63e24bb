// One 8-bit atlas per layer: the first `shown` channels as a grid of tiles, each channel scaled by its own
// min/max to 0..255, so the renderer uploads one texture per layer. Planning fits every atlas under the
// texture limit (maxSide) and all of them under a byte budget (maxBytes): the layer with the most bytes is
// box-downsampled one step at a time until the total fits; a layer that cannot shrink further shows fewer
// channels. Each layer says why it is not shown whole.
import type { StatsArrays } from './stats';

export interface LayerSize {
  channels: number;
  height: number;
  width: number;
}

export interface AtlasPlan {
  shown: number;
  downsample: number;
  tileWidth: number;
  tileHeight: number;
  cols: number;
  rows: number;
  atlasWidth: number;
  atlasHeight: number;
  capped: string | null;
}

export interface PlanLimits {
  maxChannels: number;
  maxSide: number;
  maxBytes: number;
}

function layout(shown: number, height: number, width: number, d: number): Omit<AtlasPlan, 'capped'> {
  const tileWidth = Math.ceil(width / d);
  const tileHeight = Math.ceil(height / d);
  // Near-square atlases: cols ≈ √(n · th / tw).
  const cols = Math.max(1, Math.min(shown, Math.ceil(Math.sqrt((shown * tileHeight) / tileWidth))));
  const rows = Math.ceil(shown / cols);
  return { shown, downsample: d, tileWidth, tileHeight, cols, rows, atlasWidth: cols * tileWidth, atlasHeight: rows * tileHeight };
}

const bytesOf = (p: Omit<AtlasPlan, 'capped'>) => p.atlasWidth * p.atlasHeight;
const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

/** Fits every layer under maxSide and the sum under maxBytes. */
export function planAtlases(layers: LayerSize[], lim: PlanLimits): AtlasPlan[] {
  const plans = layers.map((l) => {
    let shown = Math.min(l.channels, lim.maxChannels);
    let p = layout(shown, l.height, l.width, 1);
    while (Math.max(p.atlasWidth, p.atlasHeight) > lim.maxSide) {
      if (p.tileWidth > 1 || p.tileHeight > 1) p = layout(shown, l.height, l.width, p.downsample + 1);
      else p = layout((shown = Math.max(1, Math.floor(shown / 2))), l.height, l.width, p.downsample);
    }
    return p;
  });
  let total = plans.reduce((s, p) => s + bytesOf(p), 0);
  const budgetLimited = plans.map(() => false);
  while (total > lim.maxBytes) {
    let i = 0;
    for (let j = 1; j < plans.length; j++) if (bytesOf(plans[j]) > bytesOf(plans[i])) i = j;
    const p = plans[i];
    const l = layers[i];
    const next =
      p.tileWidth > 1 || p.tileHeight > 1
        ? layout(p.shown, l.height, l.width, p.downsample + 1)
        : layout(Math.max(1, Math.floor(p.shown / 2)), l.height, l.width, p.downsample);
    if (bytesOf(next) >= bytesOf(p)) break; // one texel left: nothing shrinks further
    total += bytesOf(next) - bytesOf(p);
    plans[i] = next;
    budgetLimited[i] = true;
  }
  return plans.map((p, i) => {
    const l = layers[i];
    const why: string[] = [];
    if (p.shown < l.channels)
      why.push(
        `the first ${p.shown} of ${l.channels} channels${p.shown === Math.min(l.channels, lim.maxChannels) ? '' : ' (texture budget)'}`,
      );
    if (p.downsample > 1) {
      const reason = budgetLimited[i] ? `to keep all layers within ${mib(lim.maxBytes)}` : `to fit a ${lim.maxSide}-texel texture`;
      why.push(`${p.tileWidth}×${p.tileHeight} tiles of the ${l.width}×${l.height} maps (1/${p.downsample}) ${reason}`);
    }
    return { ...p, capped: why.length ? `Shown: ${why.join('; ')}.` : null };
  });
}

/**
 * Packs the first `plan.shown` channels of an [1, C, H, W] map. A tile texel is the mean of its d × d cell
 * (clipped at the map's edge), scaled by the channel's min/max (a constant channel is 0).
 */
export function packAtlas(data: Float32Array, size: LayerSize, plan: AtlasPlan, stats: StatsArrays): Uint8Array {
  const { height: H, width: W } = size;
  const { tileWidth: tw, tileHeight: th, cols, atlasWidth: AW, downsample: d } = plan;
  // Written through a clamped view: the float → byte conversion (round to nearest, clamp) is done natively,
  // 3–4× faster than Math.round per texel.
  const bytes = new Uint8Array(plan.atlasWidth * plan.atlasHeight);
  const out = new Uint8ClampedArray(bytes.buffer);
  const plane = H * W;
  for (let c = 0; c < plan.shown; c++) {
    const lo = stats.min[c];
    const span = stats.max[c] - lo;
    const k = span > 0 ? 255 / span : 0;
    const base = c * plane;
    const ox = (c % cols) * tw;
    const oy = Math.floor(c / cols) * th;
    if (d === 1) {
      for (let y = 0; y < H; y++) {
        const row = base + y * W;
        const o = (oy + y) * AW + ox;
        for (let x = 0; x < W; x++) out[o + x] = (data[row + x] - lo) * k;
      }
      continue;
    }
    for (let ty = 0; ty < th; ty++) {
      const y0 = ty * d;
      const y1 = Math.min(H, y0 + d);
      const o = (oy + ty) * AW + ox;
      for (let tx = 0; tx < tw; tx++) {
        const x0 = tx * d;
        const x1 = Math.min(W, x0 + d);
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          const row = base + y * W;
          for (let x = x0; x < x1; x++) sum += data[row + x];
        }
        out[o + tx] = (sum / ((y1 - y0) * (x1 - x0)) - lo) * k;
      }
    }
  }
  return bytes;
}
