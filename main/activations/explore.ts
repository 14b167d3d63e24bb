// The explorer's job: one forward pass, per-channel statistics and an 8-bit atlas per layer. The atlases stay
// in the engine (the latest run only) and are fetched by key, layer by layer.
import { randomUUID } from 'node:crypto';
import { StudioError, type ActivationAtlas, type ActivationsResult, type ModelMeta } from '../api/contract';
import type { ActivationsRunParams } from '../api/contract-activations';
import { packAtlas, planAtlases } from './atlas';
import { forwardPass, modelWithPath } from './forward';
import { channelStats, packStats } from './stats';

type RunParams = Required<Omit<ActivationsRunParams, 'image' | 'modelId'>>;

interface Kept {
  key: string;
  atlases: Uint8Array[];
  stats: Uint8Array[];
}
let kept: Kept | null = null;

export interface Reporter {
  progress: (fraction: number, message: string) => void;
  throwIfCancelled: () => void;
}

export async function exploreActivations(
  metaIn: ModelMeta,
  image: { name: string; bytes: Uint8Array },
  p: RunParams,
  r: Reporter = { progress: () => {}, throwIfCancelled: () => {} },
): Promise<ActivationsResult> {
  const meta = modelWithPath(metaIn);
  const pass = await forwardPass(meta, image.name, image.bytes, p.layers, r.progress, r.throwIfCancelled);
  const t = performance.now();
  const plans = planAtlases(pass.maps, p);
  const atlases: Uint8Array[] = [];
  const stats: Uint8Array[] = [];
  for (let i = 0; i < pass.maps.length; i++) {
    r.throwIfCancelled();
    const m = pass.maps[i];
    r.progress(0.5 + (0.5 * i) / pass.maps.length, `Packing ${m.layer.name} (${i + 1} of ${pass.maps.length})`);
    const s = channelStats(m.data, m.channels, m.height * m.width);
    stats.push(packStats(s));
    atlases.push(packAtlas(m.data, m, plans[i], s));
  }
  const key = randomUUID();
  kept = { key, atlases, stats };
  const bytes = atlases.reduce((n, a) => n + a.byteLength, 0);
  return {
    key,
    file: image.name,
    model: meta.id,
    inputSize: meta.inputSize,
    layers: pass.maps.map((m, i) => ({
      name: m.layer.name,
      tensor: m.layer.tensor,
      op: m.layer.op,
      channels: m.channels,
      height: m.height,
      width: m.width,
      ...plans[i],
    })),
    bytes,
    maxBytes: p.maxBytes,
    capped: plans.some((x) => x.capped !== null),
    ms: { session: round(pass.ms.session), forward: round(pass.ms.forward), pack: round(performance.now() - t) },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The atlases and statistics of the latest run's layers. */
export function keptAtlases(key: string, layers: number[]): ActivationAtlas[] {
  if (!kept || kept.key !== key)
    throw new StudioError('not_found', 'These activations were replaced by a newer run: run the explorer again.');
  const k = kept;
  return layers.map((index) => {
    if (index >= k.atlases.length) throw new StudioError('bad_request', `no layer ${index} (the run has ${k.atlases.length})`);
    return { index, atlas: k.atlases[index], stats: k.stats[index] };
  });
}
