// The run log's reads: list with filters and paging (one query, thumbnails and tags included), detail, artifacts.
import type Database from 'better-sqlite3';
import { StudioError, type RunDetail, type RunFilter, type RunMetricSeries, type RunSummary } from '../api/contract';
import type { BlobStore } from './blobs';

interface RunRow {
  seq: number;
  id: string;
  kind: string;
  label: string;
  status: RunSummary['status'];
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  model_id: string | null;
  model_sha256: string | null;
  params: string;
  seed: number | null;
  app_version: string;
  result: string | null;
  error_code: string | null;
  error: string | null;
  deleted_at: number | null;
  tags: string | null;
  note: string | null;
  thumbnail: number | null;
}

const SUMMARY_COLUMNS = `r.*,
  (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags t WHERE t.run = r.seq ORDER BY tag)) AS tags,
  (SELECT text FROM notes n WHERE n.run = r.seq) AS note,
  (SELECT a.id FROM artifacts a WHERE a.run = r.seq AND a.mime LIKE 'image/%'
     ORDER BY CASE a.role WHEN 'output' THEN 0 WHEN 'input' THEN 1 ELSE 2 END, a.step DESC, a.id LIMIT 1) AS thumbnail`;

/** A user's search words as an FTS5 query: each word a quoted prefix, all required (no FTS syntax errors). */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  return words ? words.map((w) => `"${w}"*`).join(' ') : null;
}

export class RunQueries {
  constructor(
    protected readonly db: Database.Database,
    private readonly blobStore: BlobStore,
  ) {}

  list(filter: RunFilter = {}): { runs: RunSummary[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    const add = (sql: string, name: string, value: unknown): void => {
      if (value === undefined || value === '') return;
      where.push(sql);
      args[name] = value;
    };
    add('r.kind = @kind', 'kind', filter.kind);
    add('r.model_id = @model', 'model', filter.model);
    add('r.status = @status', 'status', filter.status);
    add('r.created_at >= @from', 'from', filter.from);
    add('r.created_at <= @to', 'to', filter.to);
    add('EXISTS (SELECT 1 FROM tags t WHERE t.run = r.seq AND t.tag = @tag)', 'tag', filter.tag);
    add(
      'r.seq IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH @text)',
      'text',
      filter.text === undefined ? undefined : (ftsQuery(filter.text) ?? '""'),
    );
    if (!filter.includeDeleted) where.push('r.deleted_at IS NULL');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.db.prepare(`SELECT count(*) FROM runs r ${clause}`).pluck().get(args) as number;
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r ${clause} ORDER BY r.created_at DESC, r.seq DESC LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: filter.limit ?? 100, offset: filter.offset ?? 0 }) as RunRow[];
    return { runs: rows.map(toSummary), total };
  }

  get(id: string): RunDetail {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new StudioError('not_found', `No run ${id} in the log.`);
    const metricRows = this.db
      .prepare(`SELECT name, step, value FROM metrics WHERE run = ? ORDER BY name, step, rowid`)
      .raw()
      .all(row.seq) as [string, number, number][];
    const metrics: RunMetricSeries[] = [];
    for (const [name, step, value] of metricRows) {
      let series = metrics[metrics.length - 1];
      if (!series || series.name !== name) metrics.push((series = { name, steps: [], values: [] }));
      series.steps.push(step);
      series.values.push(value);
    }
    const artifacts = this.db
      .prepare(`SELECT id, role, name, mime, sha256, size, width, height, step FROM artifacts WHERE run = ? ORDER BY id`)
      .all(row.seq) as RunDetail['artifacts'];
    const items = (
      this.db.prepare(`SELECT idx, data FROM items WHERE run = ? ORDER BY idx`).all(row.seq) as { idx: number; data: string }[]
    ).map((i) => ({
      index: i.idx,
      data: JSON.parse(i.data) as unknown,
    }));
    return { ...toSummary(row), result: row.result === null ? null : (JSON.parse(row.result) as unknown), metrics, artifacts, items };
  }

  artifact(artifactId: number): { name: string; mime: string; bytes: Uint8Array } {
    const row = this.db.prepare(`SELECT name, mime, sha256 FROM artifacts WHERE id = ?`).get(artifactId) as
      { name: string; mime: string; sha256: string } | undefined;
    if (!row) throw new StudioError('not_found', `No artifact ${artifactId} in the run log.`);
    if (!this.blobStore.has(row.sha256))
      throw new StudioError(
        'not_found',
        `The file of artifact ${artifactId} (${row.name || row.sha256}) is missing from the run log folder.`,
      );
    return { name: row.name, mime: row.mime, bytes: this.blobStore.read(row.sha256) };
  }

  /** A full id, or a unique prefix of one (the CLI prints 8 characters). */
  resolveId(prefix: string): string {
    const ids = this.db
      .prepare(`SELECT id FROM runs WHERE id >= ? AND id < ? LIMIT 2`)
      .pluck()
      .all(prefix, prefix + '\uffff') as string[];
    if (ids.length === 1) return ids[0];
    throw new StudioError(
      'not_found',
      ids.length ? `Run id ${prefix} is ambiguous: give more characters.` : `No run ${prefix} in the log.`,
    );
  }

  tagsOf(seq: number): string[] {
    return this.db.prepare(`SELECT tag FROM tags WHERE run = ? ORDER BY tag`).pluck().all(seq) as string[];
  }

  protected seqOf(id: string): number {
    const seq = this.db.prepare(`SELECT seq FROM runs WHERE id = ?`).pluck().get(id) as number | undefined;
    if (seq === undefined) throw new StudioError('not_found', `No run ${id} in the log.`);
    return seq;
  }
}

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    kind: r.kind,
    label: r.label,
    status: r.status,
    created: r.created_at,
    started: r.started_at,
    ended: r.ended_at,
    durationMs: r.duration_ms,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    params: JSON.parse(r.params) as unknown,
    seed: r.seed,
    appVersion: r.app_version,
    error: r.error !== null ? { code: r.error_code ?? 'internal', message: r.error } : null,
    tags: r.tags ? r.tags.split('\u001f') : [],
    note: r.note,
    thumbnail: r.thumbnail,
    deleted: r.deleted_at !== null,
  };
}
