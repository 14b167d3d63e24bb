// State of the Projector view as `{ params, job, result }`: the data (a folder uploaded through Train's dataset
// methods, an engine-side folder, or Train's own dataset), the embeddings job (a ProjectorSet: files, folders,
// predictions, atlas), the layout job (coordinates), and what the person does with the points: colouring,
// hover, focus with cosine neighbours, lasso/box selection exported as a file list or made a training class.
import { ProjectionResult, ProjectorSet, type ProjectionMethod, type SkippedFile } from '../../../../main/api/contract';
import { blobUrl, download } from '../../lib/files/download';
import { classify } from '../../lib/state/classify.svelte';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { ui } from '../../lib/state/ui.svelte';
import { planDataset, type PathFile } from '../train/dataset-files';
import { uploadDataset } from '../train/dataset-upload';
import { describeFailure, toFailure } from '../train/failure';
import { JobTracker } from '../train/job.svelte';
import { train } from '../train/train.svelte';
import { pointColors, type ColorBy } from './colors';
import { combine, fileList } from './selection';

export type Tool = 'navigate' | 'lasso' | 'box';

export interface Source {
  dataset: string;
  name: string;
  kind: 'upload' | 'folder' | 'train';
  skipped: SkippedFile[];
}

export interface Layout {
  result: ProjectionResult;
  coords: Float32Array;
}

const MANAGED = /^ds-/;

class Projector {
  source = $state.raw<Source | null>(null);
  upload = $state<{ done: number; total: number; name: string } | null>(null);
  dataError = $state('');
  /** '' = the model selected in the studio. */
  modelId = $state('');
  params = $state({ method: 'umap' as ProjectionMethod, dims: 2 as 2 | 3, seed: 0, perplexity: 30, neighbors: 15, minDist: 0.1 });
  embedJob = new JobTracker();
  projectJob = new JobTracker();
  set = $state.raw<ProjectorSet | null>(null);
  /** Blob URLs of the atlas pages (the scene's textures and the panel's thumbnails). */
  pages = $state.raw<string[]>([]);
  layout = $state.raw<Layout | null>(null);
  colorBy = $state<ColorBy>('folder');
  dots = $state(false);
  pointScale = $state(1);
  tool = $state<Tool>('navigate');
  selection = $state.raw<Set<number>>(new Set());
  hovered = $state<number | null>(null);
  focused = $state<number | null>(null);
  neighbors = $state.raw<{ index: number; similarity: number }[]>([]);
  focusImage = $state.raw<{ index: number; url: string } | null>(null);
  actionError = $state('');
  notice = $state('');
  private uploadToken = 0;

  model = $derived(models.available.find((m) => m.id === this.modelId) ?? models.selected);
  busy = $derived(!!this.upload || !!this.embedJob.state || !!this.projectJob.state);
  colors = $derived(this.set ? pointColors(this.set, this.colorBy) : new Float32Array(0));
  /** Train's dataset, when it has one this view can read. */
  trainDataset = $derived(train.data?.dataset ? train.data : null);

  // ---------- data ----------

  /** Files dropped or picked: the class folders go up as a managed dataset (as Train's do, dataset-upload.ts). */
  async takeFiles(files: PathFile[]): Promise<void> {
    const plan = planDataset(files);
    const token = ++this.uploadToken;
    this.reset();
    const all = [...plan.train, ...plan.val];
    if (all.length === 0) {
      this.dataError = files.length
        ? 'No images inside class folders: choose a folder that holds one folder of images per class.'
        : 'The drop held no files. Drop a folder that holds one folder of images per class.';
      return;
    }
    this.upload = { done: 0, total: all.length, name: plan.name };
    try {
      const skipped: SkippedFile[] = [...plan.skipped];
      // A train/ + val/ drop becomes one set of class folders: the projector shows every image.
      const id = await uploadDataset(plan.name, all, {
        current: () => token === this.uploadToken,
        progress: (n) => {
          if (this.upload) this.upload.done += n;
        },
        skipped,
      });
      if (!id) return;
      this.upload = null;
      this.source = { dataset: id, name: plan.name, kind: 'upload', skipped };
      await this.compute();
    } catch (e) {
      if (token !== this.uploadToken) return;
      this.upload = null;
      this.dataError = describeFailure(`Could not upload ${plan.name}`, toFailure(e));
    }
  }

  async useFolder(path: string): Promise<void> {
    const p = path.trim();
    if (!p) return;
    ++this.uploadToken;
    this.reset();
    this.source = { dataset: p, name: p.split(/[\\/]/).filter(Boolean).pop() ?? p, kind: 'folder', skipped: [] };
    await this.compute();
  }

  async useTrainDataset(): Promise<void> {
    const d = this.trainDataset;
    if (!d) return;
    ++this.uploadToken;
    this.reset();
    this.source = { dataset: d.dataset, name: d.name, kind: 'train', skipped: [] };
    await this.compute();
  }

  private reset(): void {
    this.embedJob.abandon();
    this.projectJob.abandon();
    this.upload = null;
    this.dataError = '';
    this.source = null;
    this.setSet(null);
  }

  private setSet(set: ProjectorSet | null): void {
    for (const u of this.pages) URL.revokeObjectURL(u);
    this.pages = [];
    this.set = set;
    this.layout = null;
    this.selection = new Set();
    this.hovered = null;
    this.setFocus(null);
  }

  // ---------- jobs ----------

  /** Embeddings of the source under the chosen model, then its atlas pages, then the layout. */
  async compute(): Promise<void> {
    const src = this.source;
    const model = this.model;
    if (!src) return;
    if (!model) {
      this.actionError = 'Pick or download a model first (Models panel).';
      return;
    }
    this.actionError = '';
    const set = await this.embedJob.run(
      () => connection.call('projector.embed', { dataset: src.dataset, modelId: model.id, maxImages: 20_000, thumbnails: true }),
      (v) => ProjectorSet.parse(v),
    );
    if (!set || this.source !== src) return;
    this.setSet(set);
    try {
      const pages = await Promise.all(
        (set.atlas?.pages ?? []).map(async (_, page) => {
          const r = await connection.call('projector.atlasPage', { setId: set.setId, page });
          return blobUrl(r.bytes, r.mime);
        }),
      );
      if (this.set === set) this.pages = pages;
    } catch (e) {
      this.actionError = `The thumbnails could not be loaded (${toFailure(e).message}): the points are drawn as dots.`;
    }
    await this.project();
  }

  async project(): Promise<void> {
    const set = this.set;
    if (!set) return;
    const p = $state.snapshot(this.params);
    const r = await this.projectJob.run(
      () =>
        connection.call('projector.project', {
          setId: set.setId,
          method: p.method,
          dims: p.dims,
          seed: p.seed,
          ...(p.method === 'tsne' ? { perplexity: p.perplexity } : {}),
          ...(p.method === 'umap' ? { neighbors: p.neighbors, minDist: p.minDist } : {}),
        }),
      (v) => ProjectionResult.parse(v),
    );
    if (!r || this.set !== set) return;
    this.layout = { result: r, coords: new Float32Array(r.coords.slice().buffer) };
  }

  cancel(): void {
    void this.embedJob.cancel();
    void this.projectJob.cancel();
    if (this.upload) {
      ++this.uploadToken;
      this.upload = null;
    }
  }

  // ---------- points ----------

  select(picked: number[], how: 'replace' | 'add' | 'remove'): void {
    this.selection = combine(this.selection, picked, how);
  }

  clearSelection(): void {
    this.selection = new Set();
  }

  exportSelection(): void {
    if (!this.set || this.selection.size === 0) return;
    const name = `${this.source?.name ?? 'selection'}-${this.selection.size}-images.txt`;
    download(fileList(this.set.files, this.selection), name, 'text/plain');
  }

  /** Focus an image: its full-size preview and its nearest neighbours by cosine similarity of the embeddings. */
  async setFocus(index: number | null): Promise<void> {
    if (this.focusImage) URL.revokeObjectURL(this.focusImage.url);
    this.focusImage = null;
    this.neighbors = [];
    this.focused = index;
    const set = this.set;
    if (index === null || !set) return;
    try {
      const [nb, img] = await Promise.all([
        connection.call('projector.neighbors', { setId: set.setId, index, k: 12 }),
        connection.call('projector.image', { setId: set.setId, index }),
      ]);
      if (this.focused !== index || this.set !== set) return;
      this.neighbors = nb.neighbors;
      this.focusImage = { index, url: blobUrl(img.bytes, img.mime) };
    } catch (e) {
      if (this.focused === index) this.actionError = `Could not open image ${index + 1}: ${toFailure(e).message}`;
    }
  }

  /** Opens an image in Classify with the projector's model. */
  async openInClassify(index: number): Promise<void> {
    const set = this.set;
    const model = models.available.find((m) => m.id === set?.model.id) ?? this.model;
    if (!set || !model) return;
    try {
      const img = await connection.call('projector.image', { setId: set.setId, index });
      const name = set.files[index].split(/[\\/]/).slice(-2).join('/');
      models.select(model.id);
      classify.run([{ file: { name, file: new File([img.bytes as BlobPart], img.name, { type: img.mime }) } }], model);
      ui.tool = 'classify';
    } catch (e) {
      this.actionError = `Could not open the image: ${toFailure(e).message}`;
    }
  }

  /**
   * The selection becomes class `label` of Train's dataset when Train holds a managed (uploaded) one, else of a
   * new managed dataset that Train then adopts: select a cluster, name it, repeat, train.
   */
  async toTrainingClass(label: string): Promise<void> {
    const set = this.set;
    const name = label.trim();
    if (!set || this.selection.size === 0 || !name) return;
    this.actionError = '';
    const target = train.data?.dataset && MANAGED.test(train.data.dataset) && !train.running ? train.data : null;
    try {
      const r = await connection.call('projector.toTrainingClass', {
        setId: set.setId,
        indices: [...this.selection],
        label: name,
        ...(target ? { dataset: target.dataset } : {}),
      });
      if (r.added === 0) {
        this.actionError = `No image was added to class “${name}”: ${r.skipped[0]?.reason ?? 'nothing to copy'}.`;
        return;
      }
      if (target) await train.inspect();
      else await train.adoptDataset(r.dataset, `${name} (from the projector)`);
      this.notice = `${r.added} image${r.added === 1 ? '' : 's'} added to Train as class “${name}”${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}.`;
    } catch (e) {
      this.actionError = `Could not make the training class: ${toFailure(e).message}`;
    }
  }

  /** The atlas cell of image i as CSS (a background crop of its page), or null without thumbnails. */
  thumbStyle(i: number, size: number): string | null {
    const a = this.set?.atlas;
    if (!a || this.pages.length !== a.pages.length) return null;
    const page = Math.floor(i / a.perPage);
    const cell = i % a.perPage;
    const k = size / a.thumb;
    const x = (cell % a.perRow) * a.thumb * k;
    const y = Math.floor(cell / a.perRow) * a.thumb * k;
    const { width, height } = a.pages[page];
    return `background-image:url(${this.pages[page]});background-position:-${x}px -${y}px;background-size:${width * k}px ${height * k}px`;
  }
}

export const projector = new Projector();
