// State of the Create view: the tool, its parameters and images, the running job (progress, ETA, live
// preview, loss curve, cancel), the pre-run estimate and the latest result per tool.
import type { ResultOf } from '../../../../main/api/contract';
import { CreateResult, type CreateTool } from '../../../../main/techniques/create-shared/params';
import { classify } from '../../lib/state/classify.svelte';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { errorMessage } from '../../lib/util/format';
import { followJob } from '../../lib/api/follow-job';
import { blobUrl } from '../../lib/files/download';
import { COMMON_DEFAULTS, DEFAULTS } from './fields';

export type Slot = 'image' | 'guide' | 'sample' | 'content';

export interface RunState {
  tool: CreateTool;
  jobId: string | null;
  fraction: number;
  etaSeconds: number | null;
  message: string;
}

const list = (s: unknown): string[] =>
  typeof s === 'string'
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];
const payload = async (f: File) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });

class Create {
  tool = $state<CreateTool>('dream');
  params = $state<Record<CreateTool, Record<string, unknown>>>(structuredClone(DEFAULTS));
  common = $state<Record<string, unknown>>({ ...COMMON_DEFAULTS });
  images = $state<Partial<Record<Slot, File>>>({});
  styles = $state<{ file: File; weight: number }[]>([]);
  run = $state<RunState | null>(null);
  previewUrl = $state<string | null>(null);
  losses = $state<number[]>([]);
  results = $state.raw<Partial<Record<CreateTool, CreateResult>>>({});
  resultUrl = $state<string | null>(null);
  estimate = $state.raw<ResultOf<'create.estimate'> | null>(null);
  error = $state('');
  private cancelPending = false;
  /** What the error is about: the tool it happened in, whether a run failed or could not start, and the file it names. */
  errorTool = $state<CreateTool | null>(null);
  errorKind = $state<'missing' | 'run'>('run');
  errorFile = $state<string | null>(null);

  modelId = $derived(models.selected?.id ?? null);
  /** The photo on screen in Classify (single, or picked from a batch) stands in for the content / image. */
  fallback = $derived(classify.current?.file?.file ?? null);
  /** What the last finished run of each tool was estimated at (as shown before Run) and took, in seconds. */
  timings = $state<Partial<Record<CreateTool, { estimated: number; took: number }>>>({});
  /** The estimate on screen: the engine's, learned from this machine's runs of the model and tool (see calibration.ts in main). */
  seconds = $derived(this.estimate && this.modelId ? this.estimate.seconds : null);
  result = $derived(this.results[this.tool] ?? null);

  image(slot: Slot): File | null {
    return this.images[slot] ?? (slot === 'image' || slot === 'content' ? this.fallback : null);
  }

  /** Images dropped anywhere on the view go to the slots the tool still needs, in order. */
  take(files: File[]): void {
    for (const f of files.filter((x) => x.type.startsWith('image/') || /\.(png|jpe?g|webp|gif|tiff?|bmp)$/i.test(x.name))) {
      const t = this.tool;
      if (t === 'texture') this.images.sample = f;
      else if (t === 'style') {
        if (!this.images.content) this.images.content = f;
        else if (this.styles.length < 8) this.styles.push({ file: f, weight: 1 });
      } else if (t === 'dream' && this.images.image && !this.images.guide) this.images.guide = f;
      else this.images.image = f;
    }
  }

  missing(): string | null {
    const t = this.tool;
    if (!this.modelId) return 'Pick or download a model first.';
    if ((t === 'dream' || t === 'invert') && !this.image('image')) return 'Choose a photo.';
    if (t === 'texture' && !this.images.sample) return 'Choose a texture sample.';
    if (t === 'style' && !this.image('content')) return 'Choose a content photo.';
    if (t === 'style' && this.styles.length === 0) return 'Add at least one style image.';
    return null;
  }

  private async request(): Promise<Record<string, unknown>> {
    const t = this.tool;
    const p = { ...this.params[t] };
    const c: Record<string, unknown> = { ...this.common, modelId: this.modelId! };
    for (const [k, v] of Object.entries(c)) if (v === undefined || v === null || v === '') delete c[k];
    for (const [k, v] of Object.entries(p)) if (v === undefined || v === null || v === '') delete p[k];
    if ('layers' in p) p.layers = list(p.layers);
    if ('styleLayers' in p) p.styleLayers = list(p.styleLayers);
    if ('scales' in p) p.scales = list(p.scales).map(Number);
    if ('styleLayerWeights' in p) p.styleLayerWeights = list(p.styleLayerWeights).map(Number);
    if ('layerWeights' in p) p.layerWeights = list(p.layerWeights).map(Number);
    if (t === 'dream' || t === 'invert') p.image = await payload(this.image('image')!);
    if (t === 'dream' && this.images.guide) p.guide = await payload(this.images.guide);
    if (t === 'texture') p.sample = await payload(this.images.sample!);
    if (t === 'style') {
      p.content = await payload(this.image('content')!);
      p.styles = await Promise.all(this.styles.map(async (s) => ({ image: await payload(s.file), weight: s.weight })));
    }
    return { ...c, ...p };
  }

  /** The images a run of the tool would send, as the engine names them ("name:bytes"): a rerun with the same reuses its sessions. */
  inputKeys(): string[] {
    const t = this.tool;
    const files =
      t === 'style'
        ? [this.image('content'), ...this.styles.map((s) => s.file)]
        : t === 'texture'
          ? [this.images.sample]
          : [this.image('image'), ...(t === 'dream' && this.images.guide ? [this.images.guide] : [])];
    return files.filter((f): f is File => !!f).map((f) => `${f.name}:${f.size}`);
  }

  async refreshEstimate(): Promise<void> {
    const t = this.tool;
    if (!this.modelId) return;
    try {
      const p = this.params[t];
      this.estimate = await connection.call('create.estimate', {
        tool: t,
        modelId: this.modelId,
        size: Number(this.common.size) || 256,
        steps: Number(p.steps) || 1,
        layers: [...list(p.layers), ...list(p.styleLayers), ...list(p.contentLayer)],
        octaves: t === 'dream' ? Number(p.octaves) : undefined,
        scales: t === 'style' && list(p.scales).length ? list(p.scales).map(Number) : undefined,
        inputs: this.inputKeys(),
      });
    } catch {
      this.estimate = null;
    }
  }

  clearError(): void {
    this.error = '';
    this.errorTool = null;
    this.errorFile = null;
  }

  /** The names of the images this run sends, so an error that starts with one can name it. */
  private inputNames(): string[] {
    return [this.image('image'), this.images.guide, this.images.sample, this.image('content'), ...this.styles.map((s) => s.file)]
      .filter((f): f is File => !!f)
      .map((f) => f.name);
  }

  async start(): Promise<void> {
    const why = this.missing();
    if (why) {
      this.error = why;
      this.errorTool = this.tool;
      this.errorKind = 'missing';
      this.errorFile = null;
      return;
    }
    await this.cancel();
    const tool = this.tool;
    // The estimate the person saw for these settings, to set beside what the run then takes.
    const shown = this.seconds;
    const run: RunState = { tool, jobId: null, fraction: 0, etaSeconds: null, message: '' };
    this.run = run;
    this.cancelPending = false;
    this.clearError();
    this.losses = [];
    this.setPreview(null);
    try {
      const params = await this.request();
      const method = `create.${tool}` as const;
      const value = await followJob(() => connection.call(method, params as never), {
        onStart: (id) => {
          run.jobId = id;
          if (this.cancelPending && this.run?.tool === tool) {
            this.cancelPending = false;
            void connection.call('jobs.cancel', { jobId: id }).catch(() => {});
          }
          if (this.run?.tool === tool) this.run = { ...this.run, jobId: id };
        },
        onProgress: (f, eta, msg) => {
          // `run` is this job's token: a newer run replaces create.run, and this job's late events are dropped.
          if (this.run?.tool !== tool || this.run.jobId !== run.jobId) return;
          this.run = { ...this.run, fraction: f, etaSeconds: eta, message: msg ?? '' };
        },
        onPreview: (bytes) => this.run?.tool === tool && this.setPreview(bytes),
        onMetrics: (points) => {
          if (this.run?.tool !== tool) return;
          const losses = this.losses.slice();
          for (const p of points) if (p.name === 'loss') losses[p.step] = p.value;
          this.losses = losses;
        },
      });
      const r = CreateResult.parse(value);
      this.results = { ...this.results, [tool]: r };
      const estimated = shown ?? r.estimatedSeconds;
      this.timings = { ...this.timings, [tool]: estimated !== undefined ? { estimated, took: r.ms / 1000 } : undefined };
      // The engine learned from this run: the next estimate for this model and tool says so.
      void this.refreshEstimate();
      this.setPreview(r.mime === 'image/png' ? r.bytes : (r.strip?.at(-1)?.bytes ?? null));
    } catch (e) {
      const msg = errorMessage(e);
      if (!/cancel/i.test(msg)) {
        this.error = msg;
        this.errorTool = tool;
        this.errorKind = 'run';
        this.errorFile = this.inputNames().find((n) => msg.startsWith(`${n}:`)) ?? null;
      }
      // The earlier result comes back on the stage (dimmed there under the error); a cancelled run shows it as it was.
      const old = this.results[tool];
      if (this.run?.jobId === run.jobId)
        this.setPreview(old ? (old.mime === 'image/png' ? old.bytes : (old.strip?.at(-1)?.bytes ?? null)) : null);
    } finally {
      if (this.run?.jobId === run.jobId) this.run = null;
    }
  }

  async cancel(): Promise<void> {
    const id = this.run?.jobId;
    // Cancel pressed before the engine named the job: cancel it as soon as it does.
    if (this.run && !id) this.cancelPending = true;
    if (id) await connection.call('jobs.cancel', { jobId: id }).catch(() => {});
  }

  /** DeepDream on one channel (the objective `channel:LAYER:C`), e.g. from the activation explorer. */
  presetDreamChannel(layer: string, channel: number): void {
    this.tool = 'dream';
    this.params.dream = { ...this.params.dream, layers: layer, channel };
  }

  private setPreview(bytes: Uint8Array | null): void {
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewUrl = bytes ? blobUrl(bytes) : null;
  }
}

export const create = new Create();
