// State of the History view: filters, the loaded page(s) of runs, the selected run and a second one to compare,
// and the last deletion (for undo). Refreshes itself when a job ends, since every job is a run.
import type { RunDetail, RunStatus, RunSummary } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';
import { toasts } from '../../lib/state/toasts.svelte';
import { errorMessage } from '../../lib/util/format';
import { download } from '../../lib/files/download';
import { models } from '../../lib/state/models.svelte';
import { runTitle } from './run-text';

export interface HistoryFilter {
  kind: string;
  status: RunStatus | '';
  model: string;
  tag: string;
  text: string;
  /** yyyy-mm-dd from <input type=date>, '' for open. */
  from: string;
  to: string;
}

const PAGE = 200;

class History {
  filter = $state<HistoryFilter>({ kind: '', status: '', model: '', tag: '', text: '', from: '', to: '' });
  runs = $state.raw<RunSummary[]>([]);
  total = $state(0);
  loading = $state(false);
  error = $state('');
  selectedId = $state<string | null>(null);
  detail = $state.raw<RunDetail | null>(null);
  compareId = $state<string | null>(null);
  compareDetail = $state.raw<RunDetail | null>(null);
  /** True while the next row clicked becomes the compare partner. */
  picking = $state(false);
  /** Ids deleted last, offered for undo until the next deletion. */
  deleted = $state.raw<string[]>([]);
  /** Titles made from a run's result (the class and layer the engine chose), by run id. */
  titles = $state<Record<string, string>>({});
  private titleQueue: string[] = [];
  private titleBusy = false;
  private generation = 0;
  private unsubscribe: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** Start following job ends (idempotent). */
  follow(): void {
    this.unsubscribe ??= connection.onEvent((e) => {
      if (e.channel === 'job' && (e.payload.type === 'done' || e.payload.type === 'failed' || e.payload.type === 'cancelled'))
        this.refreshSoon();
      if (e.channel === 'connection' && e.payload.state === 'open') this.refreshSoon();
    });
  }

  refreshSoon(delay = 250): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  private query(offset: number) {
    const f = this.filter;
    const day = (s: string, end: boolean) => (s ? new Date(`${s}T${end ? '23:59:59.999' : '00:00:00'}`).getTime() : undefined);
    return {
      kind: f.kind || undefined,
      status: f.status || undefined,
      model: f.model || undefined,
      tag: f.tag || undefined,
      text: f.text.trim() || undefined,
      from: day(f.from, false),
      to: day(f.to, true),
      offset,
      limit: PAGE,
    };
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    this.loading = true;
    try {
      const { runs, total } = await connection.call('runs.list', this.query(0));
      if (gen !== this.generation) return;
      this.runs = runs;
      this.total = total;
      this.error = '';
      if (this.selectedId && runs.some((r) => r.id === this.selectedId)) void this.loadDetail();
    } catch (e) {
      if (gen === this.generation) this.error = errorMessage(e);
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    if (this.loading || this.runs.length >= this.total) return;
    const gen = this.generation;
    this.loading = true;
    try {
      const { runs, total } = await connection.call('runs.list', this.query(this.runs.length));
      if (gen !== this.generation) return;
      const seen = new Set(this.runs.map((r) => r.id));
      this.runs = [...this.runs, ...runs.filter((r) => !seen.has(r.id))];
      this.total = total;
    } finally {
      this.loading = false;
    }
  }

  async select(id: string | null): Promise<void> {
    this.selectedId = id;
    this.detail = null;
    if (id) await this.loadDetail();
  }

  private async loadDetail(): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    try {
      const d = await connection.call('runs.get', { id });
      if (this.selectedId === id) this.detail = d;
      if (d.status === 'done') this.titles[id] = runTitle(d, (m) => models.nameOf(m));
    } catch (e) {
      toasts.error('Could not open the run', errorMessage(e));
    }
  }

  async compare(id: string | null): Promise<void> {
    this.picking = false;
    this.compareId = id;
    this.compareDetail = id
      ? await connection.call('runs.get', { id }).catch((e) => (toasts.error('Could not open the run', errorMessage(e)), null))
      : null;
  }

  /** A run's title: from its result once known, else from its parameters. */
  titleOf(run: RunSummary): string {
    return this.titles[run.id] ?? runTitle(run, (id) => models.nameOf(id));
  }

  /**
   * Asks for the result behind a row's title (the class, layer or top label the engine chose), one run at a time,
   * for rows on screen only. Batches and training runs are titled by their parameters alone.
   */
  wantTitle(run: RunSummary): void {
    if (run.id in this.titles || run.status !== 'done' || !/^(classify|explain-|create-)/.test(run.kind) || run.kind === 'classify-batch')
      return;
    if (!this.titleQueue.includes(run.id)) this.titleQueue.push(run.id);
    void this.drainTitles();
  }

  private async drainTitles(): Promise<void> {
    if (this.titleBusy) return;
    this.titleBusy = true;
    try {
      for (let id = this.titleQueue.shift(); id; id = this.titleQueue.shift()) {
        if (id in this.titles) continue;
        const d = await connection.call('runs.get', { id }).catch(() => null);
        this.titles[id] = d ? runTitle(d, (m) => models.nameOf(m)) : (this.runs.find((r) => r.id === id)?.label ?? '');
      }
    } finally {
      this.titleBusy = false;
    }
  }

  /** Forgets queued title look-ups for rows that scrolled away. */
  dropTitles(keep: Set<string>): void {
    this.titleQueue = this.titleQueue.filter((id) => keep.has(id));
  }

  async remove(ids: string[]): Promise<void> {
    try {
      await connection.call('runs.delete', { ids });
      this.deleted = ids;
      if (this.selectedId && ids.includes(this.selectedId)) await this.select(null);
      if (this.compareId && ids.includes(this.compareId)) await this.compare(null);
      await this.refresh();
    } catch (e) {
      toasts.error('Could not delete', errorMessage(e));
    }
  }

  async undoDelete(): Promise<void> {
    const ids = this.deleted;
    this.deleted = [];
    try {
      await connection.call('runs.restore', { ids });
      await this.refresh();
    } catch (e) {
      toasts.error('Could not restore', errorMessage(e));
    }
  }

  async setTags(id: string, add: string[], remove: string[]): Promise<void> {
    try {
      await connection.call('runs.tag', { id, add, remove });
      await Promise.all([this.refresh(), this.loadDetail()]);
    } catch (e) {
      toasts.error('Could not tag the run', errorMessage(e));
    }
  }

  async setNote(id: string, text: string): Promise<void> {
    try {
      await connection.call('runs.note', { id, text });
      void this.refresh();
    } catch (e) {
      toasts.error('Could not save the note', errorMessage(e));
    }
  }

  async exportRuns(ids: string[]): Promise<void> {
    try {
      const { name, bytes } = await connection.call('runs.export', { ids });
      download(bytes, name, 'application/zip');
    } catch (e) {
      toasts.error('Could not export', errorMessage(e));
    }
  }

  async importZip(file: File): Promise<void> {
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { imported, skipped } = await connection.call('runs.import', { file: { name: file.name, bytes } });
      toasts.success(
        `Imported ${imported.length} run${imported.length === 1 ? '' : 's'}`,
        skipped.length ? `${skipped.length} already in the history` : undefined,
      );
      await this.refresh();
    } catch (e) {
      toasts.error(`Could not import ${file.name}`, errorMessage(e));
    }
  }
}

export const history = new History();
