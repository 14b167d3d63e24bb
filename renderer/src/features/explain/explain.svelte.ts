// State of the Explain view: the photo on screen (shared with Classify), parameters of the three tools,
// the running job (progress, ETA, cancel) and the latest result of each tool.
import {
  AdversarialJobResult,
  CamJobResult,
  VisualizeJobResult,
  type CamMethod,
  type OverlayParams,
  type ResultOf,
} from '../../../../main/api/contract';
import { bytesOf } from '../../lib/files/collect';
import { classify } from '../../lib/state/classify.svelte';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { errorMessage } from '../../lib/util/format';
import { followJob } from '../../lib/api/follow-job';
import { blobUrl as pngUrl } from '../../lib/files/download';

export type ExplainTab = 'cam' | 'visualize' | 'adversarial';

export interface RunState {
  tool: ExplainTab;
  jobId: string | null;
  fraction: number;
  etaSeconds: number | null;
  message: string;
}

class Explain {
  tab = $state<ExplainTab>('cam');
  // CAM
  method = $state<CamMethod>('gradcam');
  /** Output index; null = the model's top-1. */
  classIndex = $state<number | null>(null);
  /** Tensor name; '' = the suggested layer. */
  layer = $state('');
  augSmooth = $state(false);
  eigenSmooth = $state(false);
  overlay = $state<OverlayParams>({ colormap: 'jet', opacity: 0.5, threshold: 0, mode: 'blended', colorbar: true, caption: true });
  layers = $state.raw<ResultOf<'explain.layers'> | null>(null);
  labels = $state.raw<string[]>([]);
  cam = $state.raw<CamJobResult | null>(null);
  camUrl = $state<string | null>(null);
  /** The photo the heat map on screen was computed for. */
  camFor = $state<string | null>(null);
  // Class visualisation
  viz = $state({
    classIndex: 131,
    steps: 160,
    learningRate: 3,
    l2Decay: 0.004,
    jitter: 8,
    blurEvery: 4,
    blurSigma: 0.6,
    start: 'grey' as 'grey' | 'noise',
    seed: 0,
  });
  /** The class to visualise; null = the photo's top class (else the last one visualised). */
  vizClass = $state<number | null>(null);
  vizResult = $state.raw<VisualizeJobResult | null>(null);
  vizUrl = $state<string | null>(null);
  // Adversarial
  adv = $state({ method: 'fgsm' as 'fgsm' | 'pgd', epsilon255: 8, steps: 10, target: null as number | null });
  advResult = $state.raw<AdversarialJobResult | null>(null);
  advUrl = $state<string | null>(null);
  advFor = $state<string | null>(null);

  run = $state<RunState | null>(null);
  error = $state('');
  /** The tool whose run failed (null: not one run, e.g. the model's layers) and the photo it ran on. */
  errorTool = $state<ExplainTab | null>(null);
  errorFile = $state<string | null>(null);
  private modelOfLayers = '';
  /** Counts runs and cancels: a job whose token is no longer current is cancelled as soon as it is named. */
  private seq = 0;

  /** The photo on screen in Classify (single, or the one picked from a batch) and its preview URL. */
  photo = $derived(classify.current?.file ?? null);
  photoUrl = $derived(classify.current?.url ?? null);
  /** The photo's top classes as Classify found them (for picking classes by name). */
  photoTop = $derived(classify.current?.result?.top ?? []);
  modelId = $derived(models.selected?.id ?? null);
  labelOffset = $derived(models.selected?.labelOffset ?? 0);

  /** A layer asked for before this model's layers were loaded (kept by their first load). */
  private presetLayer: { modelId: string; layer: string } | null = null;

  /** The heat map on `layer` (a tensor name), e.g. from the activation explorer. */
  presetCamLayer(modelId: string, layer: string): void {
    this.tab = 'cam';
    this.layer = layer;
    this.presetLayer = this.modelOfLayers === modelId ? null : { modelId, layer };
  }

  /** Loads the layer list and labels when the model changes. */
  async loadModelInfo(): Promise<void> {
    const id = this.modelId;
    if (!id || id === this.modelOfLayers) return;
    this.modelOfLayers = id;
    this.layer = this.presetLayer?.modelId === id ? this.presetLayer.layer : '';
    this.presetLayer = null;
    this.classIndex = null;
    try {
      const [layers, labels] = await Promise.all([
        connection.call('explain.layers', { modelId: id }),
        connection.call('models.labels', { id }),
      ]);
      if (this.modelId !== id) return;
      this.layers = layers;
      this.labels = labels;
      if (!layers.camAvailable && this.method === 'cam') this.method = 'gradcam';
    } catch (e) {
      this.fail(null, null, e);
    }
  }

  private fail(tool: ExplainTab | null, file: string | null, e: unknown): void {
    this.error = errorMessage(e);
    this.errorTool = tool;
    this.errorFile = file;
  }

  clearError(): void {
    this.error = '';
    this.errorTool = null;
    this.errorFile = null;
  }

  labelOf(index: number): string {
    return this.labels[index + this.labelOffset] ?? `class ${index}`;
  }

  private async go<T>(
    tool: ExplainTab,
    start: () => Promise<{ jobId: string }>,
    parse: (v: unknown) => T,
    onPreview?: (b: Uint8Array) => void,
    file: string | null = null,
  ): Promise<T | null> {
    await this.cancel();
    const token = ++this.seq;
    const run: RunState = { tool, jobId: null, fraction: 0, etaSeconds: null, message: '' };
    this.run = run;
    this.clearError();
    try {
      const result = await followJob(start, {
        onStart: (id) => {
          run.jobId = id;
          // Cancelled (or replaced) before the engine named the job: stop it now.
          if (token !== this.seq) void connection.call('jobs.cancel', { jobId: id }).catch(() => undefined);
        },
        onProgress: (f, eta, msg) => {
          if (this.run?.jobId !== run.jobId) return;
          this.run = { ...run, fraction: f, etaSeconds: eta, message: msg ?? '' };
        },
        onPreview: (b) => onPreview?.(b),
      });
      return parse(result);
    } catch (e) {
      if (this.run?.jobId === run.jobId && !(e instanceof Error && /cancel/i.test(e.message))) this.fail(tool, file, e);
      return null;
    } finally {
      if (this.run?.jobId === run.jobId || this.run === run) this.run = null;
    }
  }

  async cancel(): Promise<void> {
    this.seq++;
    const id = this.run?.jobId;
    this.run = null;
    if (id) await connection.call('jobs.cancel', { jobId: id }).catch(() => undefined);
  }

  async runCam(): Promise<void> {
    const photo = this.photo;
    const modelId = this.modelId;
    if (!photo || !modelId) return;
    const image = await bytesOf(photo);
    const r = await this.go(
      'cam',
      () =>
        connection.call('explain.cam', {
          image,
          modelId,
          method: this.method,
          classIndex: this.classIndex ?? undefined,
          layer: this.layer || undefined,
          topK: Math.min(10, Math.max(1, models.topK)),
          augSmooth: this.augSmooth,
          eigenSmooth: this.eigenSmooth,
          overlay: { ...this.overlay },
        }),
      (v) => CamJobResult.parse(v),
      undefined,
      photo.name,
    );
    if (!r) return;
    if (this.camUrl) URL.revokeObjectURL(this.camUrl);
    this.cam = r;
    this.camFor = photo.name;
    this.camUrl = pngUrl(r.png);
  }

  async runVisualize(): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    this.viz.classIndex = this.vizClass ?? this.photoTop[0]?.index ?? this.viz.classIndex;
    const r = await this.go(
      'visualize',
      () => connection.call('explain.visualize', { modelId, ...this.viz }),
      (v) => VisualizeJobResult.parse(v),
      (b) => this.showViz(b),
    );
    if (r) {
      this.vizResult = r;
      this.showViz(r.png);
    }
  }

  private showViz(bytes: Uint8Array): void {
    if (this.vizUrl) URL.revokeObjectURL(this.vizUrl);
    this.vizUrl = pngUrl(bytes);
  }

  async runAdversarial(): Promise<void> {
    const photo = this.photo;
    const modelId = this.modelId;
    if (!photo || !modelId) return;
    const image = await bytesOf(photo);
    const a = this.adv;
    const r = await this.go(
      'adversarial',
      () =>
        connection.call('explain.adversarial', {
          image,
          modelId,
          method: a.method,
          epsilon: a.epsilon255 / 255,
          steps: a.steps,
          target: a.target ?? undefined,
        }),
      (v) => AdversarialJobResult.parse(v),
      undefined,
      photo.name,
    );
    if (!r) return;
    if (this.advUrl) URL.revokeObjectURL(this.advUrl);
    this.advResult = r;
    this.advFor = photo.name;
    this.advUrl = pngUrl(r.png);
  }
}

export const explain = new Explain();
