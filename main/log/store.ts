// The run log's writes: one SQLite file (runs.db) and a blob folder beside it. Every write is one transaction;
// storage failures become StudioErrors ('disk_full' for a full disk) after SQLite rolled the transaction back.
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { RunStatus } from '../api/contract';
import { APP_VERSION } from '../version';
import { BlobStore } from './blobs';
import { openDatabase, type OpenOptions } from './db';
import { guard } from './errors';
import { EngineLock, engineAlive, sweepLocks } from './liveness';
import { RunQueries } from './queries';

export interface NewRun {
  id: string;
  kind: string;
  label?: string;
  status?: 'queued' | 'running';
  created?: number;
  modelId?: string;
  modelSha256?: string;
  params?: unknown;
  seed?: number;
}

export interface ArtifactInput {
  role: 'input' | 'preview' | 'output' | string;
  name?: string;
  mime: string;
  bytes: Uint8Array;
  width?: number | null;
  height?: number | null;
  step?: number | null;
}

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

export type FinalStatus = Extract<RunStatus, 'done' | 'failed' | 'cancelled' | 'interrupted'>;

/** JSON that never throws on bytes (they are summarised; the bytes themselves belong in artifacts). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v instanceof Uint8Array ? { bytes: v.length } : typeof v === 'bigint' ? Number(v) : v,
  );
}

export class RunStore extends RunQueries {
  readonly blobs: BlobStore;
  private readonly stmts;

  private constructor(
    db: Database.Database,
    blobs: BlobStore,
    /** The log folder (runs.db, blobs/, engines/). */
    readonly dir: string,
    private readonly lock: EngineLock,
  ) {
    super(db, blobs);
    this.blobs = blobs;
    this.stmts = {
      insertRun: db.prepare(
        `INSERT INTO runs (id, kind, label, status, created_at, started_at, model_id, model_sha256, params, seed, app_version, engine_pid, engine)
         VALUES (@id, @kind, @label, @status, @created, @started, @modelId, @modelSha256, @params, @seed, @appVersion, @pid, @engine)`,
      ),
      start: db.prepare(`UPDATE runs SET status = 'running', started_at = ? WHERE seq = ? AND status = 'queued'`),
      finish: db.prepare(
        `UPDATE runs SET status = @status, ended_at = @ended, duration_ms = @ended - coalesce(started_at, created_at),
         result = @result, error_code = @errorCode, error = @error WHERE seq = @seq`,
      ),
      metric: db.prepare(`INSERT INTO metrics (run, step, name, value) VALUES (?, ?, ?, ?)`),
      item: db.prepare(`INSERT OR REPLACE INTO items (run, idx, data) VALUES (?, ?, ?)`),
      artifact: db.prepare(
        `INSERT INTO artifacts (run, role, name, mime, path, sha256, size, width, height, step)
         VALUES (@run, @role, @name, @mime, @path, @sha256, @size, @width, @height, @step)`,
      ),
    };
  }

  /** Opens (creating and migrating) the log in `dir`: runs.db plus blobs/. */
  static open(dir: string, options: OpenOptions = {}): RunStore {
    return guard('open the database', () => {
      const db = openDatabase(path.join(dir, 'runs.db'), options);
      try {
        const blobs = new BlobStore(path.join(dir, 'blobs'));
        blobs.clearTemp();
        return new RunStore(db, blobs, dir, EngineLock.acquire(dir));
      } catch (e) {
        db.close();
        throw e;
      }
    });
  }

  get database(): Database.Database {
    return this.db;
  }

  /** The token naming this store's engine lock (recorded on every run it creates). */
  get engineToken(): string {
    return this.lock.token;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.lock.release();
  }

  /**
   * Runs left queued/running by an engine that is gone (killed, crashed, powered off) become 'interrupted'.
   * Liveness comes from the engine's lock file (liveness.ts); runs from before schema v4 fall back to their pid.
   */
  markInterrupted(pidIsAlive: (pid: number) => boolean = pidAlive): number {
    const n = guard('mark interrupted runs', () =>
      this.db
        .transaction(() => {
          const open = this.db.prepare(`SELECT seq, engine_pid AS pid, engine FROM runs WHERE status IN ('queued', 'running')`).all() as {
            seq: number;
            pid: number | null;
            engine: string | null;
          }[];
          const stmt = this.db.prepare(
            `UPDATE runs SET status = 'interrupted', ended_at = ?, error_code = 'interrupted',
           error = 'The engine stopped (killed or crashed) while this run was in progress.' WHERE seq = ?`,
          );
          const alive = (r: (typeof open)[number]) => (r.engine ? engineAlive(this.dir, r.engine) : r.pid !== null && pidIsAlive(r.pid));
          let count = 0;
          for (const r of open) if (!alive(r)) count += stmt.run(Date.now(), r.seq).changes;
          return count;
        })
        .immediate(),
    );
    sweepLocks(this.dir);
    return n;
  }

  createRun(run: NewRun): number {
    return guard('record a new run', () => {
      const created = run.created ?? Date.now();
      const status = run.status ?? 'queued';
      const info = this.stmts.insertRun.run({
        id: run.id,
        kind: run.kind,
        label: run.label ?? '',
        status,
        created,
        started: status === 'running' ? created : null,
        modelId: run.modelId ?? null,
        modelSha256: run.modelSha256 ?? null,
        params: toJson(run.params),
        seed: run.seed ?? null,
        appVersion: APP_VERSION,
        pid: process.pid,
        engine: this.lock.token,
      });
      return Number(info.lastInsertRowid);
    });
  }

  startRun(seq: number, at = Date.now()): void {
    guard('record a run start', () => this.stmts.start.run(at, seq));
  }

  finishRun(
    seq: number,
    status: FinalStatus,
    outcome: { result?: unknown; error?: { code: string; message: string } } = {},
    at = Date.now(),
  ): void {
    guard('record a run result', () =>
      this.stmts.finish.run({
        seq,
        status,
        ended: at,
        result: outcome.result === undefined ? null : toJson(outcome.result),
        errorCode: outcome.error?.code ?? null,
        error: outcome.error?.message ?? null,
      }),
    );
  }

  /** Many points in one transaction: this is what makes ~1M points/s possible (one commit, not one per row). */
  addMetrics(seq: number, points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    guard('record metrics', () =>
      this.db.transaction(() => {
        for (const p of points) this.stmts.metric.run(seq, p.step, p.name, p.value);
      })(),
    );
  }

  addItem(seq: number, index: number, data: unknown): void {
    guard('record an item result', () => this.stmts.item.run(seq, index, toJson(data)));
  }

  /** An artifact for a run known by its id (= its job's id): the model a training job exported, say. */
  addArtifactToRun(id: string, a: ArtifactInput): number {
    return this.addArtifact(this.seqOf(id), a);
  }

  /** Writes the file first (durable, content-addressed), then its row: a kill in between leaves only an orphan blob. */
  addArtifact(seq: number, a: ArtifactInput): number {
    return guard('store an artifact', () => {
      const ref = this.blobs.put(a.bytes);
      const info = this.stmts.artifact.run({
        run: seq,
        role: a.role,
        name: a.name ?? '',
        mime: a.mime,
        path: ref.path,
        sha256: ref.sha256,
        size: ref.size,
        width: a.width ?? null,
        height: a.height ?? null,
        step: a.step ?? null,
      });
      return Number(info.lastInsertRowid);
    });
  }

  tag(id: string, add: readonly string[], remove: readonly string[]): string[] {
    const seq = this.seqOf(id);
    guard('tag a run', () =>
      this.db.transaction(() => {
        const ins = this.db.prepare(`INSERT OR IGNORE INTO tags (run, tag) VALUES (?, ?)`);
        const del = this.db.prepare(`DELETE FROM tags WHERE run = ? AND tag = ?`);
        for (const t of remove) del.run(seq, t.trim());
        for (const t of add) if (t.trim()) ins.run(seq, t.trim());
      })(),
    );
    return this.tagsOf(seq);
  }

  /** Sets (or with empty text clears) the run's note. */
  note(id: string, text: string): string | null {
    const seq = this.seqOf(id);
    guard('save a note', () => {
      if (text.trim() === '') this.db.prepare(`DELETE FROM notes WHERE run = ?`).run(seq);
      else
        this.db
          .prepare(
            `INSERT INTO notes (run, text, updated_at) VALUES (?, ?, ?) ON CONFLICT (run) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`,
          )
          .run(seq, text, Date.now());
    });
    return text.trim() === '' ? null : text;
  }

  /** Hides runs (undo with restore); purgeDeleted removes them for good later. */
  delete(ids: readonly string[], at = Date.now()): number {
    return guard('delete runs', () =>
      this.db.transaction(() => {
        const stmt = this.db.prepare(`UPDATE runs SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`);
        return ids.reduce((n, id) => n + stmt.run(at, id).changes, 0);
      })(),
    );
  }

  restore(ids: readonly string[]): number {
    return guard('restore runs', () =>
      this.db.transaction(() => {
        const stmt = this.db.prepare(`UPDATE runs SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL`);
        return ids.reduce((n, id) => n + stmt.run(id).changes, 0);
      })(),
    );
  }

  /** Removes runs deleted before `before`, then the blobs no remaining artifact refers to. */
  purgeDeleted(before: number): number {
    return guard('purge deleted runs', () => {
      const orphans = this.db
        .transaction(() => {
          const shas = this.db
            .prepare(
              `SELECT DISTINCT a.sha256 FROM artifacts a JOIN runs r ON r.seq = a.run WHERE r.deleted_at IS NOT NULL AND r.deleted_at < ?`,
            )
            .pluck()
            .all(before) as string[];
          const n = this.db.prepare(`DELETE FROM runs WHERE deleted_at IS NOT NULL AND deleted_at < ?`).run(before).changes;
          const still = this.db.prepare(`SELECT 1 FROM artifacts WHERE sha256 = ? LIMIT 1`).pluck();
          return { n, gone: shas.filter((s) => !still.get(s)) };
        })
        .immediate();
      // Files go only after the rows are committed: a crash here leaves orphan files, never rows without files.
      for (const sha of orphans.gone) this.blobs.remove(sha);
      return orphans.n;
    });
  }
}

export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
