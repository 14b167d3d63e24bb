// Export runs as one zip (manifest.json + blobs/<sha256>) and import such a zip. The zip is deterministic (fixed
// timestamps, artifact ids renumbered per run), so export -> import -> export gives the same bytes.
// fflate: small, dependency-free, synchronous zip/unzip in pure JS (no native build, works in Node and Electron).
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { StudioError, type RunDetail } from '../api/contract';
import { APP_VERSION } from '../version';
import { BlobStore } from './blobs';
import { guard } from './errors';
import { toJson, type RunStore } from './store';

export const EXPORT_FORMAT = 'vision-studio-runs';
export const EXPORT_VERSION = 1;
const MTIME = new Date('2000-01-01T00:00:00Z');

export type RunExport = Omit<RunDetail, 'thumbnail' | 'deleted'>;

interface Manifest {
  format: string;
  version: number;
  exportedBy: string;
  runs: RunExport[];
}

export function exportRuns(store: RunStore, ids: readonly string[]): { name: string; bytes: Uint8Array } {
  const files: Zippable = {};
  const runs = ids.map((id) => {
    const { thumbnail: _t, deleted: _d, ...run } = store.get(id);
    const renumber = new Map(run.artifacts.map((a, i) => [a.id, i + 1]));
    for (const a of run.artifacts) files[`blobs/${a.sha256}`] ??= [store.artifact(a.id).bytes, { level: 0, mtime: MTIME }];
    return {
      ...run,
      result: remapArtifacts(run.result, renumber),
      artifacts: run.artifacts.map((a) => ({ ...a, id: renumber.get(a.id)! })),
    };
  });
  const manifest: Manifest = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedBy: APP_VERSION, runs };
  files['manifest.json'] = [new TextEncoder().encode(JSON.stringify(manifest, null, 1)), { level: 6, mtime: MTIME }];
  const name = ids.length === 1 ? `vision-studio-run-${ids[0].slice(0, 8)}.zip` : `vision-studio-runs-${ids.length}.zip`;
  return { name, bytes: zipSync(files) };
}

export function importRuns(store: RunStore, zip: Uint8Array, fileName = 'the file'): { imported: string[]; skipped: string[] } {
  let entries: Record<string, Uint8Array>;
  let manifest: Manifest;
  try {
    entries = unzipSync(zip);
    manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json'])) as Manifest;
  } catch {
    throw new StudioError('bad_request', `${fileName} is not a Vision Studio run export (not a zip with a manifest.json).`);
  }
  if (manifest?.format !== EXPORT_FORMAT || !Array.isArray(manifest.runs))
    throw new StudioError('bad_request', `${fileName} is not a Vision Studio run export.`);
  if (manifest.version > EXPORT_VERSION)
    throw new StudioError('bad_request', `${fileName} was exported by a newer Vision Studio (${manifest.exportedBy}).`);
  const imported: string[] = [];
  const skipped: string[] = [];
  for (const run of manifest.runs) {
    if (exists(store, run.id)) {
      skipped.push(run.id);
      continue;
    }
    // Files first, each checked against its name; then all rows in one transaction.
    for (const a of run.artifacts) {
      const bytes = entries[`blobs/${a.sha256}`];
      if (!bytes || BlobStore.hash(bytes) !== a.sha256)
        throw new StudioError('bad_request', `${fileName}: the file for artifact "${a.name}" is missing or damaged.`);
      guard('store an imported artifact', () => store.blobs.put(bytes, a.sha256));
    }
    guard('import a run', () => store.database.transaction(() => insertRun(store, run))());
    imported.push(run.id);
  }
  return { imported, skipped };
}

function exists(store: RunStore, id: string): boolean {
  return store.database.prepare(`SELECT 1 FROM runs WHERE id = ?`).get(id) !== undefined;
}

function insertRun(store: RunStore, run: RunExport): void {
  const db = store.database;
  const seq = Number(
    db
      .prepare(
        `INSERT INTO runs (id, kind, label, status, created_at, started_at, ended_at, duration_ms, model_id, model_sha256, params, seed, app_version, error_code, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.kind,
        run.label,
        run.status,
        run.created,
        run.started,
        run.ended,
        run.durationMs,
        run.modelId,
        run.modelSha256,
        toJson(run.params),
        run.seed,
        run.appVersion,
        run.error?.code ?? null,
        run.error?.message ?? null,
      ).lastInsertRowid,
  );
  const art = db.prepare(
    `INSERT INTO artifacts (run, role, name, mime, path, sha256, size, width, height, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ids = new Map<number, number>();
  for (const a of run.artifacts) {
    ids.set(
      a.id,
      Number(
        art.run(seq, a.role, a.name, a.mime, store.blobs.relPath(a.sha256), a.sha256, a.size, a.width, a.height, a.step).lastInsertRowid,
      ),
    );
  }
  if (run.result !== null && run.result !== undefined)
    db.prepare(`UPDATE runs SET result = ? WHERE seq = ?`).run(toJson(remapArtifacts(run.result, ids)), seq);
  const metric = db.prepare(`INSERT INTO metrics (run, step, name, value) VALUES (?, ?, ?, ?)`);
  for (const m of run.metrics) m.steps.forEach((step, i) => metric.run(seq, step, m.name, m.values[i]));
  const item = db.prepare(`INSERT INTO items (run, idx, data) VALUES (?, ?, ?)`);
  for (const it of run.items) item.run(seq, it.index, toJson(it.data));
  const tag = db.prepare(`INSERT OR IGNORE INTO tags (run, tag) VALUES (?, ?)`);
  for (const t of run.tags) tag.run(seq, t);
  if (run.note) db.prepare(`INSERT INTO notes (run, text, updated_at) VALUES (?, ?, ?)`).run(seq, run.note, run.ended ?? run.created);
}

/** Rewrites { artifact: id } references (made by extractOutputs) through `ids`. */
function remapArtifacts(value: unknown, ids: Map<number, number>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => remapArtifacts(v, ids));
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'artifact' && typeof entries[0][1] === 'number')
    return { artifact: ids.get(entries[0][1]) ?? entries[0][1] };
  return Object.fromEntries(entries.map(([k, v]) => [k, remapArtifacts(v, ids)]));
}
