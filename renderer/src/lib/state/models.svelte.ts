// The model list, the model in use and top-K, and the model actions (download, import, edit, remove).
import type { ModelMeta, ModelPatch } from '../../../../main/api/contract';
import { bytesOf, type NamedFile } from '../files/collect';
import { errorMessage, formatBytes, reasonOnly } from '../util/format';
import { displayName } from '../util/model-text';
import { connection } from './connection.svelte';
import { toasts } from './toasts.svelte';

const storage = {
  get: (k: string): string | null => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k: string, v: string): void => {
    try {
      localStorage.setItem(k, v);
    } catch {
      /* private mode: selection simply is not remembered */
    }
  },
};

class Models {
  list = $state<ModelMeta[]>([]);
  loaded = $state(false);
  loadError = $state('');
  selectedId = $state(storage.get('vs.model') ?? '');
  topK = $state(Math.min(20, Math.max(1, Number(storage.get('vs.topK')) || 5)));
  /** modelId -> jobId of a download this window started. */
  downloads = $state<Record<string, string>>({});
  importing = $state(false);

  available = $derived(this.list.filter((m) => m.status === 'available'));
  /** The chosen model if it is loadable, else the engine's own preference: a bundled MobileNet, then any. */
  selected = $derived(
    this.available.find((m) => m.id === this.selectedId) ??
      this.available.find((m) => m.source === 'builtin' && /mobilenet/i.test(m.id)) ??
      this.available.find((m) => m.source === 'builtin') ??
      this.available[0] ??
      null,
  );
  /** What to offer when nothing is on disk: the catalog's first (smallest, friendliest) model. */
  suggested = $derived(
    this.list.find((m) => m.source === 'catalog' && /mobilenet/i.test(m.id)) ??
      [...this.list].filter((m) => m.source === 'catalog').sort((a, b) => (a.sizeBytes ?? 0) - (b.sizeBytes ?? 0))[0] ??
      null,
  );

  constructor() {
    connection.onEvent((e) => {
      if (e.channel === 'models.changed') void this.refresh();
      if (e.channel === 'job') {
        const p = e.payload;
        const modelId = Object.keys(this.downloads).find((id) => this.downloads[id] === p.jobId);
        if (!modelId) return;
        if (p.type === 'done' || p.type === 'failed' || p.type === 'cancelled') {
          delete this.downloads[modelId];
          const name = this.byId(modelId)?.name ?? modelId;
          if (p.type === 'done') toasts.success(`${name} is ready`, 'Drop a photo to classify it.');
          if (p.type === 'failed') toasts.error(`Could not download ${name}`, p.error.message);
          void this.refresh();
        }
      }
    });
  }

  byId(id: string): ModelMeta | undefined {
    return this.list.find((m) => m.id === id);
  }

  /** A model id's display name, also for models no longer in the list (runs in History). */
  nameOf(id: string | null | undefined): string {
    if (!id) return '';
    return this.byId(id)?.name ?? displayName({ id, name: id, notes: undefined });
  }

  async refresh(): Promise<void> {
    try {
      // File-stem names of bundled models ("mobilenet_v2_1.0_224") become display names once, here, for every view.
      this.list = (await connection.call('models.list', {})).map((m) => ({ ...m, name: displayName(m) }));
      this.loadError = '';
    } catch (e) {
      this.loadError = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  select(id: string): void {
    this.selectedId = id;
    storage.set('vs.model', id);
  }

  setTopK(k: number): void {
    this.topK = Math.min(20, Math.max(1, Math.round(k) || 5));
    storage.set('vs.topK', String(this.topK));
  }

  async pull(id: string): Promise<void> {
    const m = this.byId(id);
    try {
      const { jobId } = await connection.call('models.pull', { id });
      this.downloads[id] = jobId;
      toasts.info(`Downloading ${m?.name ?? id}`, m?.sizeBytes ? `${formatBytes(m.sizeBytes)} — progress in the status bar.` : undefined);
    } catch (e) {
      toasts.error(`Could not download ${m?.name ?? id}`, errorMessage(e));
    }
  }

  /** Import an .onnx (with its sidecar .json if given); selects it on success. */
  async importModel(file: NamedFile, sidecar?: NamedFile): Promise<ModelMeta | null> {
    this.importing = true;
    try {
      const meta = await connection.call('models.import', {
        file: await bytesOf(file),
        sidecar: sidecar ? await bytesOf(sidecar) : undefined,
      });
      await this.refresh();
      if (meta.status === 'available') this.select(meta.id);
      toasts.success(
        `Imported ${displayName(meta)}`,
        `${meta.inputSize[0]}×${meta.inputSize[1]} input, ${meta.numClasses} classes${sidecar ? `, settings from ${sidecar.name}` : ''}.`,
      );
      return meta;
    } catch (e) {
      toasts.error(`${file.name}: could not import`, reasonOnly(file.name, errorMessage(e)));
      return null;
    } finally {
      this.importing = false;
    }
  }

  async update(id: string, patch: ModelPatch): Promise<boolean> {
    try {
      await connection.call('models.update', { id, patch });
      await this.refresh();
      toasts.success('Model settings saved');
      return true;
    } catch (e) {
      toasts.error(`Could not save ${this.byId(id)?.name ?? id}`, errorMessage(e));
      return false;
    }
  }

  async remove(id: string): Promise<void> {
    const name = this.byId(id)?.name ?? id;
    try {
      await connection.call('models.remove', { id });
      await this.refresh();
      toasts.info(`Removed ${name}`);
    } catch (e) {
      toasts.error(`Could not remove ${name}`, errorMessage(e));
    }
  }
}

export const models = new Models();
