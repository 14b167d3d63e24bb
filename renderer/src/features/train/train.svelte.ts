// State of the Train view as `{ params, job, result }` plus the dataset: files dropped or picked become a managed
// dataset (uploaded in batches) or an engine-side folder is named; train.inspect reports on it; train.start runs
// with live curves; the TrainResult feeds the confusion matrix, per-class scores and the mistakes, which open in
// Explain or Classify with the new model. train.findLr runs the learning-rate range test on the same settings and
// suggests a rate for the form.
import { DatasetReport, LrFindResult, TrainParams, TrainResult, type SkippedFile } from '../../../../main/api/contract';
import { classify } from '../../lib/state/classify.svelte';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { ui } from '../../lib/state/ui.svelte';
import { blobUrl } from '../../lib/files/download';
import { explain } from '../explain/explain.svelte';
import { Curves } from './curves.svelte';
import { planDataset, type Labelled, type PathFile } from './dataset-files';
import { AugmentSamples } from './augment-samples.svelte';
import { uploadDataset } from './dataset-upload';
import { toFailure, describeFailure } from './failure';
import { DEFAULTS, initialParams, lrFindKey, trainRequest } from './form';
import { JobTracker } from './job.svelte';
import { LrSweep } from './lr-sweep.svelte';
import { suggestLr } from './lr-suggestion';
import { defaultLr as optimizerDefaultLr } from './options';

export type StageTab = 'data' | 'training' | 'results';

export interface DataSource {
  /** Managed dataset id or absolute folder. */
  dataset: string;
  /** The val/ half of a dropped train/ + val/ folder (a second managed dataset). */
  val?: string;
  name: string;
  kind: 'upload' | 'folder';
  /** Files the page did not send (not images, outside class folders) and those the engine refused to store. */
  skipped: SkippedFile[];
}

export interface Upload {
  done: number;
  total: number;
  name: string;
}

class Train {
  tab = $state<StageTab>('data');
  params = $state(initialParams());
  data = $state.raw<DataSource | null>(null);
  upload = $state<Upload | null>(null);
  dataError = $state('');
  report = $state.raw<DatasetReport | null>(null);
  inspectJob = new JobTracker();
  job = new JobTracker();
  curves = new Curves();
  result = $state.raw<TrainResult | null>(null);
  /** The result on screen belongs to an earlier run (a newer one is running or failed). */
  stale = $state(false);
  /** Confusion-matrix cell whose images are listed: [true, predicted]. */
  cell = $state<[number, number] | null>(null);
  /** The learning-rate range test: its job, live curve, result, and the settings it ran with (see currentLrKey). */
  lrJob = new JobTracker();
  lrSweep = new LrSweep();
  lrResult = $state.raw<LrFindResult | null>(null);
  lrResultKey = $state('');
  /** The range test came after the last run: the Training tab shows it above that run's curves (else below). */
  lrNewer = $state(false);
  providers = $state.raw<{ available: string[]; chosen: string; rejected: { name: string; reason: string }[] } | null>(null);
  /** The augmentation preview on the Data tab. */
  samples = new AugmentSamples();
  actionError = $state('');
  private uploadToken = 0;
  private thumbs = new Map<string, Promise<string>>();

  /** A training run is going. */
  training = $derived(this.job.state !== null);
  /** A learning-rate range test is going. */
  findingLr = $derived(this.lrJob.state !== null);
  /** A job of this view (a run or a range test) is going: the other waits, the dataset and the mode stay as they are. */
  running = $derived(this.training || this.findingLr);
  baseModel = $derived(models.available.find((m) => m.id === this.params.baseModelId) ?? models.selected);
  trainCount = $derived(this.report ? this.report.classes.reduce((s, c) => s + c.train, 0) : 0);
  stepsPerEpoch = $derived(Math.max(1, Math.ceil(this.trainCount / Math.max(1, this.params.batch ?? DEFAULTS.batch))));
  defaultLr = $derived(optimizerDefaultLr(this.params.optimizer));
  /** The range test on screen ran with other settings than the form's now (its suggestion may not fit them). */
  lrResultStale = $derived(!!this.lrResult && this.currentLrKey() !== this.lrResultKey);
  /**
   * The rate the range test suggests: the engine's steepest descent of the smoothed loss when it comes before the
   * lowest loss; else (no descent, or the steepest drop is noise in the blow-up past the minimum, which small
   * datasets give) the engine's other suggestion, a tenth of the lowest loss's rate.
   */
  lrSuggestion = $derived(suggestLr(this.lrResult?.suggestion));

  /** Why Run is not possible now, or null. */
  missing = $derived.by((): string | null => {
    if (this.upload) return 'Wait for the upload to finish.';
    if (!this.data) return 'Add a dataset first.';
    if (this.inspectJob.state) return 'Reading the dataset…';
    if (!this.report) return 'The dataset could not be read.';
    if (this.report.classes.length < 2) return 'Training needs at least two classes (two folders of images).';
    if (this.params.mode !== 'scratch' && !this.baseModel) return 'Pick or download a base model first.';
    return null;
  });

  async loadProviders(): Promise<void> {
    if (this.providers) return;
    try {
      this.providers = await connection.call('train.providers', {});
    } catch {
      this.providers = null;
    }
  }

  // ---------- data ----------

  /** Files dropped or picked: plan the classes, upload into a new managed dataset, inspect it. */
  async takeFiles(files: PathFile[], truncated = false): Promise<void> {
    const plan = planDataset(files);
    const token = ++this.uploadToken;
    this.resetData();
    if (plan.train.length === 0) {
      this.dataError =
        files.length === 0
          ? 'The drop held no files. Drop a folder that holds one folder of images per class.'
          : `No images inside class folders in ${plan.name === 'dataset' ? 'what was dropped' : `“${plan.name}”`}: drop a folder that holds one folder of images per class (or train/ and val/ folders that do).`;
      this.data = plan.skipped.length ? { dataset: '', name: plan.name, kind: 'upload', skipped: plan.skipped } : null;
      return;
    }
    if (truncated) this.dataError = 'Only the first 200,000 files were taken: for larger datasets give the folder path below.';
    const total = plan.train.length + plan.val.length;
    this.upload = { done: 0, total, name: plan.name };
    const skipped: SkippedFile[] = [...plan.skipped];
    try {
      const send = (name: string, list: Labelled[], prefix: string) =>
        uploadDataset(name, list, {
          current: () => token === this.uploadToken,
          progress: (n) => {
            if (this.upload) this.upload.done += n;
          },
          skipped,
          prefix,
        });
      const dataset = await send(
        plan.layout === 'train-val' ? `${plan.name}-train` : plan.name,
        plan.train,
        plan.layout === 'train-val' ? 'train/' : '',
      );
      if (!dataset) return;
      let val: string | undefined;
      if (plan.val.length > 0) {
        const v = await send(`${plan.name}-val`, plan.val, 'val/');
        if (!v) return;
        val = v;
      }
      this.upload = null;
      this.data = { dataset, val, name: plan.name, kind: 'upload', skipped };
      await this.inspect();
    } catch (e) {
      if (token !== this.uploadToken) return;
      this.upload = null;
      this.dataError = describeFailure(`Could not upload ${plan.name}`, toFailure(e));
    }
  }

  /** An absolute folder the engine reads in place (the desktop app, or a server on this machine). */
  async useFolder(path: string): Promise<void> {
    const p = path.trim();
    if (!p) return;
    ++this.uploadToken;
    this.resetData();
    this.data = { dataset: p, name: p.split(/[\\/]/).filter(Boolean).pop() ?? p, kind: 'folder', skipped: [] };
    await this.inspect();
  }

  /** A managed dataset made elsewhere (the projector turns a selection into a class) becomes the dataset here. */
  async adoptDataset(id: string, name: string): Promise<void> {
    ++this.uploadToken;
    this.resetData();
    this.data = { dataset: id, name, kind: 'upload', skipped: [] };
    await this.inspect();
  }

  private resetData(): void {
    this.inspectJob.abandon();
    this.lrJob.abandon();
    this.lrJob.error = null;
    this.lrResult = null;
    this.upload = null;
    this.dataError = '';
    this.data = null;
    this.report = null;
    this.samples.clear();
    this.samples.index = 0;
    this.tab = 'data';
  }

  async inspect(): Promise<void> {
    const d = this.data;
    if (!d?.dataset) return;
    const report = await this.inspectJob.run(
      () =>
        connection.call('train.inspect', {
          dataset: d.dataset,
          val: d.val,
          valSplit: this.params.valSplit ?? undefined,
          seed: this.params.seed ?? undefined,
        }),
      (v) => DatasetReport.parse(v),
    );
    if (this.data !== d) return;
    if (report)
      this.report = report; // the augmentation preview follows (AugmentPreview watches the report)
    else if (this.inspectJob.error) this.report = null;
  }

  // ---------- augmentation preview ----------

  async refreshPreview(): Promise<void> {
    const d = this.data;
    if (!d?.dataset || !this.report || this.report.total === 0) return;
    await this.samples.refresh({ dataset: d.dataset, augment: [...this.params.augment], seed: this.params.seed ?? 0 });
  }

  nextPreviewImage(): void {
    this.samples.index = (this.samples.index + 1) % Math.max(1, this.trainCount || 1);
    void this.refreshPreview();
  }

  // ---------- training ----------

  /** The request for train.start, or a sentence saying which field is wrong. */
  request(): { params: TrainParams } | { problem: string } {
    return trainRequest($state.snapshot(this.params), this.data!, this.baseModel?.id);
  }

  /** The request when the view and the form allow a job now; else null, with the reason in actionError. */
  private readyRequest(): TrainParams | null {
    if (this.running) return null;
    const req = this.missing ? { problem: this.missing } : this.request();
    if ('problem' in req) {
      this.actionError = req.problem;
      return null;
    }
    this.actionError = '';
    return req.params;
  }

  async start(): Promise<void> {
    const params = this.readyRequest();
    if (!params) return;
    this.curves.reset(this.stepsPerEpoch);
    this.lrNewer = false;
    if (this.result) this.stale = true;
    this.tab = 'training';
    const r = await this.job.run(
      () => connection.call('train.start', params),
      (v) => TrainResult.parse(v),
      { onMetrics: (points) => this.curves.add(points) },
    );
    if (r) {
      this.forgetThumbs();
      this.result = r;
      this.stale = false;
      this.cell = firstMistake(r.confusion);
      this.tab = 'results';
      void models.refresh();
    } else if (!this.job.error) this.stale = false; // cancelled: the earlier result stands
  }

  cancel(): void {
    void this.job.cancel();
    void this.lrJob.cancel();
  }

  // ---------- learning-rate range test ----------

  /** The settings the range test depends on ('' while the form has no valid request). */
  private currentLrKey(): string {
    const req = this.data ? this.request() : null;
    return !req || 'problem' in req ? '' : lrFindKey(req.params);
  }

  /** Sweeps the learning rate from 1e-7 to 10 on the form's settings (train.findLr); the curve shows in Training. */
  async findLr(): Promise<void> {
    const params = this.readyRequest();
    if (!params) return;
    this.lrSweep.reset();
    this.lrResult = null;
    this.lrNewer = true;
    this.tab = 'training';
    const key = lrFindKey(params);
    const r = await this.lrJob.run(
      () => connection.call('train.findLr', params),
      (v) => LrFindResult.parse(v),
      { onMetrics: (points) => this.lrSweep.add(points) },
    );
    if (r) {
      this.lrResult = r;
      this.lrResultKey = key;
    }
  }

  useLr(lr: number): void {
    this.params.lr = lr;
  }

  // ---------- results ----------

  /** A blob URL for a dataset image (cached per result). */
  thumb(file: string): Promise<string> {
    let p = this.thumbs.get(file);
    if (!p) {
      p = connection.call('train.image', { file }).then((r) => blobUrl(r.bytes, r.mime));
      p.catch(() => this.thumbs.delete(file));
      this.thumbs.set(file, p);
    }
    return p;
  }

  private forgetThumbs(): void {
    for (const p of this.thumbs.values()) void p.then((u) => URL.revokeObjectURL(u)).catch(() => undefined);
    this.thumbs.clear();
  }

  /** The trained model, once the model list has it. */
  private async trainedModel() {
    const id = this.result?.modelId;
    if (!id) return null;
    if (!models.available.some((m) => m.id === id)) await models.refresh();
    const m = models.available.find((x) => x.id === id) ?? null;
    if (!m)
      this.actionError = `The trained model ${this.result?.name ?? id} is not in the model list: ${models.loadError || 'it may have been removed'}.`;
    return m;
  }

  /** Opens a validation image in Explain with the trained model, so its heat map is the new model's. */
  async openInExplain(file: string): Promise<void> {
    this.actionError = '';
    const m = await this.trainedModel();
    if (!m) return;
    try {
      const img = await connection.call('train.image', { file });
      const name = file.split(/[\\/]/).slice(-2).join('/');
      models.select(m.id);
      classify.run([{ file: { name, file: new File([img.bytes as BlobPart], img.name, { type: img.mime }) } }], m);
      explain.tab = 'cam';
      ui.tool = 'explain';
    } catch (e) {
      this.actionError = `Could not open ${file.split(/[\\/]/).pop()}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Selects the trained model and goes to Classify (the photo there, if any, is classified again). */
  async classifyWith(): Promise<void> {
    this.actionError = '';
    const m = await this.trainedModel();
    if (!m) return;
    models.select(m.id);
    ui.tool = 'classify';
    classify.rerun();
  }
}

/** The off-diagonal cell with the most images (the worst confusion), else the first class's diagonal. */
function firstMistake(confusion: number[][]): [number, number] | null {
  let best: [number, number] | null = null;
  let n = 0;
  confusion.forEach((row, i) =>
    row.forEach((c, j) => {
      if (i !== j && c > n) {
        n = c;
        best = [i, j];
      }
    }),
  );
  return best ?? (confusion.length ? [0, 0] : null);
}

export const train = new Train();
