// Export runs as one zip (manifest.json + blobs/<sha256>) and import such a zip. The zip is deterministic (fixed
// timestamps, artifact ids renumbered per run), so export -> import -> export gives the same bytes.
// fflate: small, dependency-free zip/unzip in pure JS (no native build, works in Node and Electron). An import is
// untrusted input: entries filtered and size-capped while inflating, the manifest checked with zod, all runs in one
// transaction, every error naming the file.
import zlib from 'node:zlib';
import { Unzip, zipSync, type AsyncFlateStreamHandler, type UnzipDecoder, type Zippable } from 'fflate';
import { z } from 'zod';
import { RunArtifact, RunDetail, RunMetricSeries, StudioError } from '../api/contract';
import { APP_VERSION } from '../version';
import { BlobStore } from './blobs';
import { guard, isDiskFull, toLogError } from './errors';
import { toJson, type RunStore } from './store';
import { readRegularFile } from '../models/safe-read';

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

/** Inflated-size caps, checked while inflating: an entry is an artifact (inputs are photos the studio decodes, at most
 *  512 MB); 1 GiB in all bounds what an import holds in memory (exports travel whole; browser mode caps a message at
 *  768 MiB). A 2 MB zip inflating to 2 GiB stops at the cap, never allocating more. */
export const IMPORT_LIMITS = { entry: 512 * 1024 * 1024, manifest: 64 * 1024 * 1024, total: 1024 * 1024 * 1024 };
export type ImportLimits = typeof IMPORT_LIMITS;

/**
 * An export file named on a command line: a regular file (a FIFO named x.zip would block forever) no larger than
 * everything an import may inflate, checked on the open descriptor before a byte is read.
 */
export function readImportFile(file: string): Uint8Array {
  return new Uint8Array(readRegularFile(file, { maxBytes: IMPORT_LIMITS.total, what: file, code: 'bad_request' }));
}

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256');
const ExportedRun = RunDetail.omit({ thumbnail: true, deleted: true }).extend({
  id: z.string().min(1).max(200),
  artifacts: z.array(RunArtifact.extend({ sha256: Sha256 })),
  metrics: z.array(RunMetricSeries.refine((m) => m.steps.length === m.values.length, 'steps and values differ in length')),
});
const ManifestSchema = z.object({ format: z.string(), version: z.number(), exportedBy: z.string(), runs: z.array(ExportedRun) });
/** JSON nested deeper than this is refused before anything walks it recursively (params, results). */
const MAX_DEPTH = 64;

export function importRuns(
  store: RunStore,
  zip: Uint8Array,
  fileName = 'the file',
  limits: ImportLimits = IMPORT_LIMITS,
): { imported: string[]; skipped: string[] } {
  const bad = (why: string) => new StudioError('bad_request', `${fileName}: ${why}`);
  const entries = readEntries(zip, bad, limits);
  const manifestBytes = entries.get('manifest.json');
  if (!manifestBytes) throw bad('not a Vision Studio run export (no manifest.json in the zip).');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (e) {
    throw bad(`manifest.json is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  const head = raw as Partial<Manifest> | null;
  if (head?.format !== EXPORT_FORMAT) throw bad('not a Vision Studio run export.');
  if (typeof head.version === 'number' && head.version > EXPORT_VERSION)
    throw bad(`exported by a newer Vision Studio (${String(head.exportedBy)}).`);
  if (depth(raw) > MAX_DEPTH) throw bad(`manifest.json is nested deeper than ${MAX_DEPTH} levels.`);
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw bad(`manifest.json: ${i.path.join('.') || 'manifest'}: ${i.message}.`);
  }
  const runs = parsed.data.runs as RunExport[];
  const ids = new Set<string>();
  for (const run of runs) {
    if (ids.has(run.id)) throw bad(`manifest.json lists run ${run.id} twice.`);
    ids.add(run.id);
  }
  // All checks before any write: every file present and matching its name.
  const fresh = runs.filter((run) => !exists(store, run.id));
  for (const run of fresh)
    for (const a of run.artifacts) {
      const bytes = entries.get(`blobs/${a.sha256}`);
      if (!bytes || BlobStore.hash(bytes) !== a.sha256) throw bad(`the file for artifact "${a.name}" is missing or damaged.`);
    }
  // Files first (content-addressed: a failure below leaves unreferenced files, never a row without its file),
  // then every run in one transaction: all or nothing.
  for (const run of fresh)
    for (const a of run.artifacts) guard('store an imported artifact', () => store.blobs.put(entries.get(`blobs/${a.sha256}`)!, a.sha256));
  try {
    store.database.transaction(() => fresh.forEach((run) => insertRun(store, run)))();
  } catch (e) {
    if (isDiskFull(e)) throw toLogError(e, 'import runs');
    throw bad(`could not import (${e instanceof Error ? e.message : String(e)}); nothing was imported.`);
  }
  const imported = new Set(fresh.map((r) => r.id));
  return { imported: [...imported], skipped: runs.filter((r) => !imported.has(r.id)).map((r) => r.id) };
}

/**
 * The zip's manifest.json and blobs/<sha256> entries; any other entry is skipped without being inflated. Deflated
 * entries go through Node's zlib with `maxOutputLength`, which stops inflating as soon as the output passes the cap
 * (and is ~10× faster than inflating in JS); stored entries are counted as they arrive.
 */
function readEntries(zip: Uint8Array, bad: (why: string) => StudioError, limits: ImportLimits): Map<string, Uint8Array> {
  const entries = new Map<string, Uint8Array>();
  let total = 0;
  let failure: StudioError | null = null;
  const capOf = (name: string) => Math.min(name === 'manifest.json' ? limits.manifest : limits.entry, limits.total - total);
  const over = (name: string) =>
    bad(
      capOf(name) < (name === 'manifest.json' ? limits.manifest : limits.entry)
        ? `the zip inflates to more than ${limits.total >> 20} MB.`
        : `${name} inflates to more than ${(name === 'manifest.json' ? limits.manifest : limits.entry) >> 20} MB.`,
    );
  /** Deflate through zlib, capped; the compressed bytes are already in memory (the zip), so gathering them is free. */
  class CappedInflate implements UnzipDecoder {
    static compression = 8;
    ondata: AsyncFlateStreamHandler = () => undefined;
    private parts: Uint8Array[] = [];
    constructor(private readonly name: string) {}
    push(data: Uint8Array, final?: boolean): void {
      this.parts.push(data);
      if (!final) return;
      let out: Buffer;
      try {
        out = zlib.inflateRawSync(Buffer.concat(this.parts), { maxOutputLength: Math.max(1, capOf(this.name) + 1) });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        failure ??= code === 'ERR_BUFFER_TOO_LARGE' ? over(this.name) : bad(`${this.name} is damaged (${(e as Error).message}).`);
        return;
      }
      this.ondata(null, new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength), true);
    }
  }
  const unzip = new Unzip((file) => {
    if (failure || !(file.name === 'manifest.json' || /^blobs\/[0-9a-f]{64}$/.test(file.name))) return;
    if (entries.has(file.name)) return void (failure = bad(`the zip holds ${file.name} twice.`));
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) return void (failure = bad(`${file.name} is damaged (${err.message}).`));
      if (size + chunk.length > capOf(file.name)) {
        failure = over(file.name);
        return file.terminate();
      }
      size += chunk.length;
      total += chunk.length;
      chunks.push(chunk);
      if (final) entries.set(file.name, chunks.length === 1 ? chunks[0] : concat(chunks, size));
    };
    file.start();
  });
  unzip.register(CappedInflate);
  const SLICE = 1024 * 1024;
  try {
    for (let off = 0; off < zip.length && !failure; off += SLICE) unzip.push(zip.subarray(off, off + SLICE), off + SLICE >= zip.length);
  } catch (e) {
    failure ??= bad(`not a zip Vision Studio can read (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (failure) throw failure;
  return entries;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Nesting depth of a JSON value, without recursion (a hostile manifest may be nested 100k deep). */
function depth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
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
