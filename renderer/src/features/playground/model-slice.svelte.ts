// "Your model's loss" in the playground as `{ params, job, result }`: the studio's finished training runs
// (the run log's kind `train`), the slice job (playground.modelSlice, followed with the shared JobTracker) and
// its grid, which becomes the race's surface (main/playground/grid-surface: bicubic, with its gradient).
import { ModelSliceResult, type RunSummary } from '../../../../main/api/contract';
import { gridSurface } from '../../../../main/playground/grid-surface';
import { connection } from '../../lib/state/connection.svelte';
import { JobTracker } from '../train/job.svelte';
import { race } from './race.svelte';

export const GRID_CHOICES = [11, 21, 31, 41] as const;

class ModelSlice {
  /** Finished training runs, newest first; null until loaded. */
  runs = $state.raw<RunSummary[] | null>(null);
  loadError = $state('');
  params = $state({ runId: '', grid: 21, images: 256, span: 1, seed: 0 });
  job = new JobTracker();
  result = $state.raw<ModelSliceResult | null>(null);

  async load(): Promise<void> {
    this.loadError = '';
    try {
      const { runs } = await connection.call('runs.list', { kind: 'train', status: 'done', limit: 100 });
      this.runs = runs;
      if (!runs.some((r) => r.id === this.params.runId)) this.params.runId = runs[0]?.id ?? '';
    } catch (e) {
      this.runs = [];
      this.loadError = (e as Error).message;
    }
  }

  async compute(): Promise<void> {
    const p = { ...this.params };
    if (!p.runId) return;
    const r = await this.job.run(
      () => connection.call('playground.modelSlice', p),
      (v) => ModelSliceResult.parse(v),
    );
    if (!r) return;
    this.result = r;
    this.show(r);
  }

  /** Puts a computed slice on the race (again, after another surface was picked). */
  show(r = this.result): void {
    if (!r) return;
    const surface = gridSurface(r, {
      label: `${r.model.name}'s loss`,
      formula: `L(θ + αδ + βη) · ${r.images} images · seed ${r.seed}`,
    });
    race.setCustomSurface(surface);
  }
}

export const modelSlice = new ModelSlice();
