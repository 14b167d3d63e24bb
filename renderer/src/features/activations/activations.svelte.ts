// State of the Inside view (the activation explorer): the photo on screen (shared with Classify and Explain),
// the explorer's job (progress, cancel), its layers, the atlases fetched layer by layer after it, the layer in
// focus, the hovered tile and the channel opened large.
import {
  ActivationsResult,
  type ActivationChannelResult,
  type ActivationLayer,
  type ActivationsLayerSet,
} from '../../../../main/api/contract';
import { followJob } from '../../lib/api/follow-job';
import { bytesOf } from '../../lib/files/collect';
import { blobUrl } from '../../lib/files/download';
import { classify } from '../../lib/state/classify.svelte';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { errorMessage } from '../../lib/util/format';
import type { PlaneColormap } from './plane-material';

export interface LoadedAtlas {
  atlas: Uint8Array;
  /** 4 × channels: min…, max…, mean…, std…. */
  stats: Float32Array;
}

export interface ChannelView {
  layer: number;
  channel: number;
  result: ActivationChannelResult | null;
  url: string | null;
  busy: boolean;
  error: string;
}

export type OverlayColormap = 'viridis' | 'inferno' | 'jet' | 'gray';

/** Atlases per atlas call: a few MB, so the first planes show while the rest travel. */
const CHUNK_BYTES = 4 << 20;

class Activations {
  layerSet = $state<ActivationsLayerSet>('main');
  cmap = $state<PlaneColormap>('viridis');
  run = $state<{ jobId: string | null; fraction: number; message: string } | null>(null);
  result = $state.raw<ActivationsResult | null>(null);
  /** photo|model|layer set of the result on screen. */
  resultFor = $state('');
  /** Atlases arrived so far (the array itself is not reactive: the scene reads it when this changes). */
  loaded = $state(0);
  atlases: (LoadedAtlas | undefined)[] = [];
  focus = $state(0);
  channel = $state<ChannelView | null>(null);
  overlayCmap = $state<OverlayColormap>('viridis');
  overlayOpacity = $state(0.6);
  error = $state('');
  /** The renderer's texture limit (set by the scene; atlases are planned to fit it). */
  maxTextureSize = 4096;
  private seq = 0;

  photo = $derived(classify.single?.file ?? null);
  modelId = $derived(models.selected?.id ?? null);
  layers = $derived<ActivationLayer[]>(this.result?.layers ?? []);
  wanted = $derived(this.photo && this.modelId ? `${this.photo.name}|${this.photo.file.size}|${this.modelId}|${this.layerSet}` : '');

  /** Statistics of one channel of a loaded layer. */
  stats(layer: number, channel: number): { min: number; max: number; mean: number; std: number } | null {
    const a = this.atlases[layer];
    const n = this.layers[layer]?.channels ?? 0;
    if (!a || channel >= n) return null;
    const s = a.stats;
    return { min: s[channel], max: s[n + channel], mean: s[2 * n + channel], std: s[3 * n + channel] };
  }

  async explore(): Promise<void> {
    const photo = this.photo;
    const modelId = this.modelId;
    const wanted = this.wanted;
    if (!photo || !modelId) return;
    await this.cancel();
    const token = ++this.seq;
    const run: { jobId: string | null; fraction: number; message: string } = { jobId: null, fraction: 0, message: 'Starting' };
    this.run = run;
    this.error = '';
    this.closeChannel();
    try {
      const image = await bytesOf(photo);
      const value = await followJob(
        () =>
          connection.call('activations.run', {
            image,
            modelId,
            layers: this.layerSet,
            maxSide: Math.min(4096, this.maxTextureSize),
          }),
        {
          onStart: (id) => {
            run.jobId = id;
            if (token !== this.seq) void connection.call('jobs.cancel', { jobId: id }).catch(() => undefined);
            else this.run = { ...run };
          },
          onProgress: (fraction, _eta, message) => {
            if (token === this.seq) this.run = { jobId: run.jobId, fraction, message: message ?? '' };
          },
        },
      );
      if (token !== this.seq) return;
      const r = ActivationsResult.parse(value);
      this.atlases = [];
      this.loaded = 0;
      this.focus = 0;
      this.result = r;
      this.resultFor = wanted;
      this.run = { jobId: null, fraction: 1, message: `Loading ${r.layers.length} layers` };
      await this.fetchAtlases(r, token);
    } catch (e) {
      if (token === this.seq && !(e instanceof Error && 'code' in e && e.code === 'cancelled')) this.error = errorMessage(e);
    } finally {
      if (token === this.seq) this.run = null;
    }
  }

  private async fetchAtlases(r: ActivationsResult, token: number): Promise<void> {
    let i = 0;
    while (i < r.layers.length) {
      const batch: number[] = [];
      let bytes = 0;
      while (
        i < r.layers.length &&
        batch.length < 64 &&
        (batch.length === 0 || bytes + r.layers[i].atlasWidth * r.layers[i].atlasHeight <= CHUNK_BYTES)
      ) {
        bytes += r.layers[i].atlasWidth * r.layers[i].atlasHeight;
        batch.push(i++);
      }
      const got = await connection.call('activations.atlas', { key: r.key, layers: batch });
      if (token !== this.seq) return;
      for (const a of got.layers) this.atlases[a.index] = { atlas: a.atlas, stats: new Float32Array(a.stats.slice().buffer) };
      this.loaded = i;
      this.run = { jobId: null, fraction: 1, message: `Loading layers: ${i} of ${r.layers.length}` };
    }
  }

  async cancel(): Promise<void> {
    this.seq++;
    const id = this.run?.jobId;
    this.run = null;
    if (id) await connection.call('jobs.cancel', { jobId: id }).catch(() => undefined);
  }

  async openChannel(layer: number, channel: number): Promise<void> {
    const photo = this.photo;
    const modelId = this.modelId;
    const l = this.layers[layer];
    if (!photo || !modelId || !l) return;
    const view: ChannelView = {
      layer,
      channel,
      result: this.channel?.result ?? null,
      url: this.channel?.url ?? null,
      busy: true,
      error: '',
    };
    this.channel = view;
    try {
      const r = await connection.call('activations.channel', {
        image: await bytesOf(photo),
        modelId,
        layer: l.tensor,
        channel,
        colormap: this.overlayCmap,
        opacity: this.overlayOpacity,
      });
      if (this.channel?.layer !== layer || this.channel.channel !== channel) return;
      if (this.channel.url) URL.revokeObjectURL(this.channel.url);
      this.channel = { ...this.channel, result: r, url: blobUrl(r.png), busy: false };
    } catch (e) {
      if (this.channel?.layer === layer && this.channel.channel === channel)
        this.channel = { ...this.channel, busy: false, error: errorMessage(e) };
    }
  }

  closeChannel(): void {
    if (this.channel?.url) URL.revokeObjectURL(this.channel.url);
    this.channel = null;
  }
}

export const activations = new Activations();
