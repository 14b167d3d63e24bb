// Classification sessions: one image (classify.image) or many (classify.batch job with incremental items).
import { ClassifyResult, type JobEvent, type ModelMeta } from '../../../../main/api/contract';
import { bytesOf, type NamedFile } from '../files/collect';
import { canPreview } from '../files/kinds';
import { errorMessage, formatMs } from '../util/format';
import { connection } from './connection.svelte';
import { models } from './models.svelte';
import { recent } from './recent.svelte';

export interface Shot {
  name: string;
  /** The file itself, so Explain and Create can work on the photo picked from a batch. */
  file: NamedFile | null;
  url: string | null;
  result: ClassifyResult | null;
  /** Why this file has no result (from the engine, or found before sending: not an image). */
  error: string | null;
  busy: boolean;
}

export interface Batch {
  jobId: string | null;
  state: 'reading' | 'running' | 'done' | 'failed' | 'cancelled';
  shots: Shot[];
  /** Engine index -> index into `shots` (files rejected before sending have no engine index). */
  sent: number[];
  fraction: number;
  etaSeconds: number | null;
  error: string | null;
  model: ModelMeta;
  startedAt: number;
  finishedAt: number | null;
}

export interface Intake {
  file: NamedFile;
  /** Set for files rejected before sending (e.g. not an image). */
  reject?: string;
}

function previewUrl(f: NamedFile): string | null {
  return canPreview(f.name, f.file.type) && f.file.size > 0 ? URL.createObjectURL(f.file) : null;
}

class Classify {
  single = $state<Shot | null>(null);
  batch = $state<Batch | null>(null);
  /** Index of the batch image shown in detail, or null for the grid. */
  focus = $state<number | null>(null);
  /** The batch image picked last (kept when going back to the grid): the current photo for Explain and Create. */
  picked = $state<number | null>(null);
  /** Batch grid shows only the files that failed. */
  onlyFailed = $state(false);
  lastTiming = $state('');
  private token = 0;
  private rerunPending = false;
  private buffered: JobEvent[] | null = null;

  mode = $derived(this.batch ? 'batch' : this.single ? 'single' : 'empty');
  /**
   * The photo on screen: the single one, or the one picked from a batch. One the engine could not read stays
   * current, so Explain and Create say why on their stage instead of quietly using an older photo.
   */
  current = $derived.by((): Shot | null => {
    if (this.single) return this.single.file ? this.single : null;
    const shot = this.batch && this.picked !== null ? this.batch.shots[this.picked] : undefined;
    return shot?.file ? shot : null;
  });
  /** Results of whatever is on screen, for export. */
  results = $derived.by((): ClassifyResult[] => {
    if (this.batch) {
      const model = this.batch.model.id;
      return this.batch.shots.flatMap((s) => (s.result ? [s.result] : s.error ? [{ file: s.name, model, error: s.error, ms: 0 }] : []));
    }
    const s = this.single;
    if (s?.result) return [s.result];
    if (s?.error) return [{ file: s.name, model: models.selected?.id ?? '', error: s.error, ms: 0 }];
    return [];
  });

  constructor() {
    connection.onEvent((e) => {
      if (e.channel !== 'job') return;
      if (this.batch?.jobId === e.payload.jobId) this.apply(e.payload);
      else if (this.buffered && this.batch && this.batch.jobId === null) this.buffered.push(e.payload);
    });
  }

  clear(): void {
    this.token++;
    this.rerunPending = false;
    // A batch still running in the engine is of no use once its grid is gone.
    const b = this.batch;
    if (b?.jobId && (b.state === 'running' || b.state === 'reading'))
      void connection.call('jobs.cancel', { jobId: b.jobId }).catch(() => undefined);
    for (const s of this.batch?.shots ?? []) if (s.url) URL.revokeObjectURL(s.url);
    if (this.single?.url) URL.revokeObjectURL(this.single.url);
    this.batch = null;
    this.single = null;
    this.focus = null;
    this.picked = null;
    this.onlyFailed = false;
  }

  run(items: Intake[], model: ModelMeta): void {
    if (items.length === 1) void this.runOne(items[0], model);
    else if (items.length > 1) void this.runMany(items, model);
  }

  /** Re-run the single image on screen (after the model or top-K changed). */
  rerun(): void {
    const s = this.single;
    const model = models.selected;
    if (!s?.file || !model) return;
    if (s.busy) {
      // Settings changed mid-run: run again with them once this one lands.
      this.rerunPending = true;
      return;
    }
    void this.runOne({ file: s.file }, model, s.url);
  }

  private async runOne({ file, reject }: Intake, model: ModelMeta, keepUrl: string | null = null): Promise<void> {
    if (keepUrl === null) this.clear();
    const token = ++this.token;
    this.single = { name: file.name, file, url: keepUrl ?? previewUrl(file), result: null, error: reject ?? null, busy: !reject };
    if (reject) return;
    try {
      const r = await connection.call('classify.image', { image: await bytesOf(file), modelId: model.id, topK: models.topK });
      if (token !== this.token || !this.single) return;
      this.single.result = r.error === undefined ? r : null;
      this.single.error = r.error ?? null;
      this.lastTiming = `${file.name} · ${formatMs(r.ms)}`;
    } catch (e) {
      if (token !== this.token || !this.single) return;
      this.single.error = errorMessage(e);
    } finally {
      // A photo opened (not a re-run) joins the recent photos once its classification is on screen.
      if (keepUrl === null) recent.remember(file.file, file.name);
      if (token === this.token && this.single) {
        this.single.busy = false;
        if (this.rerunPending) {
          this.rerunPending = false;
          this.rerun();
        }
      }
    }
  }

  private async runMany(items: Intake[], model: ModelMeta): Promise<void> {
    this.clear();
    const token = this.token;
    const shots: Shot[] = items.map(({ file, reject }) => ({
      name: file.name,
      file: reject ? null : file,
      url: reject ? null : previewUrl(file),
      result: null,
      error: reject ?? null,
      busy: !reject,
    }));
    const sent = items.flatMap((it, i) => (it.reject ? [] : [i]));
    this.batch = {
      jobId: null,
      state: 'reading',
      shots,
      sent,
      fraction: 0,
      etaSeconds: null,
      error: null,
      model,
      startedAt: performance.now(),
      finishedAt: null,
    };
    if (sent.length === 0) return this.finish('done');
    try {
      const images = await Promise.all(sent.map((i) => bytesOf(items[i].file)));
      if (token !== this.token) return;
      this.buffered = [];
      const { jobId } = await connection.call('classify.batch', { images, modelId: model.id, topK: models.topK });
      if (token !== this.token || !this.batch) return;
      this.batch.jobId = jobId;
      this.batch.state = 'running';
      for (const e of this.buffered.filter((b) => b.jobId === jobId)) this.apply(e);
    } catch (e) {
      if (token !== this.token || !this.batch) return;
      this.batch.error = errorMessage(e);
      this.finish('failed');
    } finally {
      this.buffered = null;
    }
  }

  private setItem(engineIndex: number, item: unknown): void {
    const b = this.batch;
    const shot = b ? b.shots[b.sent[engineIndex]] : undefined;
    const parsed = ClassifyResult.safeParse(item);
    if (!shot || !parsed.success) return;
    shot.busy = false;
    if (parsed.data.error !== undefined) shot.error = parsed.data.error;
    else shot.result = parsed.data;
  }

  private apply(e: JobEvent): void {
    const b = this.batch;
    if (!b) return;
    switch (e.type) {
      case 'progress':
        b.fraction = e.fraction;
        b.etaSeconds = e.etaSeconds;
        break;
      case 'item':
        this.setItem(e.index, e.item);
        break;
      case 'done':
        if (Array.isArray(e.result)) e.result.forEach((r, i) => this.setItem(i, r));
        this.finish('done');
        break;
      case 'failed':
        b.error = e.error.message;
        this.finish('failed');
        break;
      case 'cancelled':
        this.finish('cancelled');
        break;
    }
  }

  private finish(state: 'done' | 'failed' | 'cancelled'): void {
    const b = this.batch;
    if (!b) return;
    b.state = state;
    b.finishedAt = performance.now();
    if (state === 'done') b.fraction = 1;
    for (const s of b.shots) s.busy = false;
    const n = b.shots.filter((s) => s.result).length;
    if (n > 0) this.lastTiming = `${n} image${n === 1 ? '' : 's'} · ${formatMs(b.finishedAt - b.startedAt)}`;
  }

  /** Opens batch image `i` in detail (null: back to the grid); it becomes the current photo. */
  open(i: number | null): void {
    this.focus = i;
    if (i !== null) this.picked = i;
  }

  /** ←/→ in a batch's detail: the previous or next image (wrapping), skipping none. */
  step(delta: number): void {
    const b = this.batch;
    if (!b || this.focus === null || b.shots.length === 0) return;
    const n = b.shots.length;
    this.open((((this.focus + delta) % n) + n) % n);
  }

  async cancel(): Promise<void> {
    const id = this.batch?.jobId;
    if (id) await connection.call('jobs.cancel', { jobId: id }).catch(() => undefined);
  }
}

export const classify = new Classify();
