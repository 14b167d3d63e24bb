// The models the studio knows: catalog entries (downloaded on demand into <models>/catalog), imported models
// (copied into <models>/imported with a meta JSON beside each), and read-only "builtin" models found in extra folders.
// State lives in small JSON files, so several processes (engine, CLI) see the same registry.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ModelMeta, ModelPatch, StudioError } from '../api/contract';
import { modelsDir } from '../paths';
import { loadCatalog, type CatalogEntry } from './catalog';
import { downloadModel } from './download';
import { inspectModel, type InspectedModel } from './inspect';
import { metaSideProblem, sideProblem } from './input-limits';
import { isLabelSetId } from './labels';
import { buildLocalMeta } from './local-meta';
import { notAModelId } from './model-ref';
import { copyRegularFile, isInside, MAX_LABELS_BYTES, MAX_MODEL_BYTES, readRegularFile } from './safe-read';
import { copyExternalData } from './import-external';
import { parseSidecar, readSidecarFor, readSidecarText, type SidecarInfo } from './sidecar';
import { readJson, sha256File, slugify, writeJsonAtomic } from './store';
import { defaultExtraDirs, scanImported, scanModelDirs } from './scan';

export { defaultExtraDirs };

export interface RegistryOptions {
  /** Defaults to modelsDir() (under VISION_STUDIO_HOME). */
  root?: string;
  /** Read-only folders of .onnx files; defaults to defaultExtraDirs(). */
  extraDirs?: string[];
  catalog?: CatalogEntry[];
}

export type ImportSource = { path: string } | { name: string; bytes: Uint8Array };
export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | null) => void;
}

export class ModelRegistry {
  readonly root: string;
  readonly extraDirs: string[];
  private readonly catalog: CatalogEntry[];
  private readonly inflight = new Map<string, Promise<ModelMeta>>();
  private readonly inspected = new Map<string, InspectedModel>();

  constructor(opts: RegistryOptions = {}) {
    this.root = opts.root ?? modelsDir();
    this.extraDirs = opts.extraDirs ?? defaultExtraDirs();
    this.catalog = opts.catalog ?? loadCatalog();
  }

  private get catalogDir() {
    return path.join(this.root, 'catalog');
  }
  private get importedDir() {
    return path.join(this.root, 'imported');
  }
  private get overridesFile() {
    return path.join(this.root, 'overrides.json');
  }

  /** Every model, in display order: catalog, imported, builtin. Never throws for bad files on disk. */
  list(): ModelMeta[] {
    const overrides = this.readOverrides();
    const out: ModelMeta[] = [];
    const seen = new Set<string>();
    const add = (m: ModelMeta) => {
      if (seen.has(m.id)) return;
      seen.add(m.id);
      const patched = m.source === 'imported' ? m : applyPatch(m, this.safePatch(m, overrides[m.id]));
      // A stored JSON is a file anyone could edit: sides over the limit make the model unusable, not a 28 GB resize.
      const tooBig = patched.status === 'available' ? metaSideProblem(patched) : null;
      out.push(tooBig ? { ...patched, status: 'broken', error: `${patched.path ?? patched.id}: ${tooBig}` } : patched);
    };
    this.catalog.forEach((c) => add(this.catalogMeta(c)));
    this.importedMetas().forEach(add);
    this.builtinMetas().forEach(add);
    return out;
  }

  find(id: string): ModelMeta | undefined {
    return this.list().find((m) => m.id === id);
  }

  get(id: string): ModelMeta {
    const m = this.find(id);
    if (!m) throw new StudioError('not_found', `no model "${id}" (see \`vision-studio models list\`)`);
    return m;
  }

  /** A registry id only: what request handlers must use for a client's modelId/baseModelId (see model-ref.ts). */
  resolveId(id: string): ModelMeta {
    const m = this.find(id);
    if (!m) throw notAModelId(id);
    return m;
  }

  /** For the CLI: a catalog, imported or builtin id, or a path to an .onnx (its sidecar honoured). Synchronous: a bare path
   *  without sidecar gets default metadata unless resolveAsync() inspected it before. */
  resolve(idOrPath: string): ModelMeta {
    const known = this.find(idOrPath);
    if (known) return known;
    return this.metaForPath(idOrPath, this.inspected.get(this.inspectKey(path.resolve(idOrPath))) ?? null);
  }

  /** Like resolve(), but inspects a bare .onnx path with ONNX Runtime (input size, layout, classes). */
  async resolveAsync(idOrPath: string): Promise<ModelMeta> {
    const known = this.find(idOrPath);
    if (known) return known;
    const file = path.resolve(idOrPath);
    this.metaForPath(idOrPath, null); // not_found / bad sidecar errors first
    const key = this.inspectKey(file);
    let found = this.inspected.get(key);
    if (!found) {
      found = await inspectModel(file, idOrPath);
      this.inspected.set(key, found);
    }
    return this.metaForPath(idOrPath, found);
  }

  /** Copies a model into the registry after checking that ONNX Runtime can load it; a broken model is never registered. */
  async import(src: ImportSource, sidecar?: ImportSource): Promise<ModelMeta> {
    const displayName = 'path' in src ? src.path : src.name;
    fs.mkdirSync(this.importedDir, { recursive: true });
    let dataDir: string | null = null;
    const tmp = path.join(this.importedDir, `.incoming-${process.pid}-${randomBytes(4).toString('hex')}.onnx`);
    try {
      if ('path' in src) {
        // Created 0o644 whatever the source mode: a read-only source must not make the copy undeletable (Windows).
        await copyRegularFile(src.path, tmp, { maxBytes: MAX_MODEL_BYTES, what: src.path, code: 'bad_model' });
      } else {
        if (src.bytes.byteLength > MAX_MODEL_BYTES)
          throw new StudioError('bad_model', `${src.name}: over the ${MAX_MODEL_BYTES >> 20} MB limit of one ONNX file`);
        fs.writeFileSync(tmp, src.bytes);
      }
      const side = this.readImportSidecar(src, sidecar);
      const sha256 = await sha256File(tmp);
      if (side?.sha256 && side.sha256 !== sha256)
        throw new StudioError(
          'checksum_mismatch',
          `${displayName}: sha256 ${sha256.slice(0, 12)}… differs from its sidecar (${side.sha256.slice(0, 12)}…)`,
        );
      const id = this.uniqueId(slugify(side?.name ?? path.basename(displayName)));
      dataDir = path.join(this.importedDir, `${id}.data`); // removed below unless the import completes
      await copyExternalData(src, tmp, id, dataDir);
      const inspected = await inspectModel(tmp, displayName);
      const file = path.join(this.importedDir, `${id}.onnx`);
      const name = path.basename(displayName).replace(/\.onnx$/i, '');
      const meta = buildLocalMeta({
        id,
        name,
        file,
        source: 'imported',
        inspected,
        sidecar: side,
        sha256,
        sizeBytes: fs.statSync(tmp).size,
      });
      if (path.isAbsolute(meta.labels)) {
        // Keep the labels with the model, so the import survives the original folder moving. The sidecar parser
        // only names files inside the model's folder; this copy is then the only labels file the model reads.
        const copy = path.join(this.importedDir, `${id}.labels.txt`);
        fs.writeFileSync(copy, readRegularFile(meta.labels, { maxBytes: MAX_LABELS_BYTES, what: `labels file ${meta.labels}` }));
        meta.labels = copy;
      }
      fs.renameSync(tmp, file);
      this.writeImported(meta);
      dataDir = null; // kept: the model reads it
      return this.get(id);
    } finally {
      fs.rmSync(tmp, { force: true });
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  /** Edits metadata; imported models keep it in their JSON, catalog/builtin ones in overrides.json. */
  update(id: string, patch: ModelPatch): ModelMeta {
    const parsed = ModelPatch.safeParse(patch);
    if (!parsed.success) throw new StudioError('bad_request', `invalid metadata for ${id}: ${parsed.error.issues[0]?.message}`);
    const p = parsed.data;
    const current = this.get(id);
    const tooBig = sideProblem([p.preprocessing?.resizeTo], 'the resize before the crop');
    if (tooBig) throw new StudioError('bad_request', `invalid metadata for ${id}: ${tooBig}`);
    if (p.labels !== undefined && p.labels !== current.labels && !this.labelsAllowed(p.labels))
      throw new StudioError(
        'bad_request',
        `labels "${p.labels}": a model's labels are a built-in set (imagenet1k, imagenet1001, none) or a labels file the ` +
          'studio keeps in its own folder; to use your own file, import the model together with a sidecar JSON naming it',
      );
    if (current.source === 'imported') {
      if (current.status === 'broken' && !fs.existsSync(path.join(this.importedDir, `${id}.json`)))
        throw new StudioError('bad_model', `${id}: metadata file is missing`);
      this.writeImported(applyPatch(current, p));
    } else {
      const all = this.readOverrides();
      all[id] = { ...all[id], ...p };
      writeJsonAtomic(this.overridesFile, all);
    }
    return this.get(id);
  }

  /** Deletes an imported model, or the downloaded file of a catalog model. Builtin models are read-only. */
  async remove(id: string): Promise<boolean> {
    const m = this.get(id);
    if (m.source === 'builtin')
      throw new StudioError('bad_request', `${id} is a read-only model from ${path.dirname(m.path ?? '')}; delete the file there`);
    if (this.inflight.has(id)) throw new StudioError('bad_request', `${id} is downloading; cancel the download first`);
    const files =
      m.source === 'imported'
        ? ['.onnx', '.json', '.labels.txt'].map((ext) => path.join(this.importedDir, `${id}${ext}`))
        : [path.join(this.catalogDir, `${id}.onnx`), path.join(this.catalogDir, `${id}.onnx.part`)];
    const existed = files.filter((f) => fs.existsSync(f));
    files.forEach((f) => fs.rmSync(f, { force: true }));
    if (m.source === 'imported') fs.rmSync(path.join(this.importedDir, `${id}.data`), { recursive: true, force: true });
    const overrides = this.readOverrides();
    if (overrides[id]) {
      delete overrides[id];
      writeJsonAtomic(this.overridesFile, overrides);
    }
    return existed.length > 0;
  }

  /** Downloads a catalog model (resuming a previous partial download). Concurrent pulls of one id share one transfer. */
  pull(id: string, opts: PullOptions = {}): Promise<ModelMeta> {
    const running = this.inflight.get(id);
    if (running) return running;
    const entry = this.catalog.find((c) => c.id === id);
    if (!entry) {
      const m = this.get(id); // not_found for unknown ids
      return Promise.reject(new StudioError('bad_request', `${m.id} is a local model, nothing to download`));
    }
    const current = this.catalogMeta(entry);
    if (current.status === 'available') return Promise.resolve(this.get(id));
    const job = (async () => {
      try {
        await downloadModel({
          url: entry.url,
          dest: path.join(this.catalogDir, `${id}.onnx`),
          sha256: entry.sha256,
          sizeBytes: entry.sizeBytes,
          ...opts,
        });
      } finally {
        this.inflight.delete(id);
      }
      return this.get(id);
    })();
    this.inflight.set(id, job);
    return job;
  }

  /** The model to use when none is chosen: the bundled MobileNet if present, else any loadable model. */
  defaultModelId(): string | null {
    const ok = this.list().filter((m) => m.status === 'available');
    return (
      (ok.find((m) => m.source === 'builtin' && /mobilenet/i.test(m.id)) ?? ok.find((m) => m.source === 'builtin') ?? ok[0])?.id ?? null
    );
  }

  // ---------- internals ----------

  /** Labels a client may set: a built-in set, or a labels file an import copied into the studio's folder. */
  private labelsAllowed(labels: string): boolean {
    return isLabelSetId(labels) || (/\.labels\.txt$/.test(labels) && isInside(this.importedDir, labels));
  }

  /** overrides.json is a file on disk: a labels path in it that update() would refuse is ignored. */
  private safePatch(m: ModelMeta, patch: ModelPatch | undefined): ModelPatch | undefined {
    if (!patch?.labels || patch.labels === m.labels || this.labelsAllowed(patch.labels)) return patch;
    const { labels: _ignored, ...rest } = patch;
    return rest;
  }

  private catalogMeta(c: CatalogEntry): ModelMeta {
    const file = path.join(this.catalogDir, `${c.id}.onnx`);
    const base: ModelMeta = { ...c, source: 'catalog', status: 'missing', path: file };
    if (this.inflight.has(c.id)) return { ...base, status: 'downloading' };
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      const part = fs.statSync(`${file}.part`, { throwIfNoEntry: false });
      if (!part) return base;
      // An interrupted download: say so, since pulling again resumes instead of starting over.
      const partial = `Partially downloaded (${(part.size / 1e6).toFixed(1)} of ${(c.sizeBytes / 1e6).toFixed(1)} MB); pull resumes it.`;
      return { ...base, notes: [c.notes, partial].filter(Boolean).join(' ') };
    }
    if (size !== c.sizeBytes)
      return { ...base, status: 'broken', error: `${file}: ${size} bytes, expected ${c.sizeBytes}; remove it and pull again` };
    return { ...base, status: 'available' };
  }

  private importedMetas(): ModelMeta[] {
    return scanImported(this.importedDir);
  }

  private builtinMetas(): ModelMeta[] {
    return scanModelDirs(this.extraDirs, (file) => this.inspected.get(this.inspectKey(file)));
  }

  private metaForPath(p: string, inspected: InspectedModel | null): ModelMeta {
    const file = path.resolve(p);
    let st: fs.Stats | undefined;
    let why = '';
    try {
      st = fs.statSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') why = ' (a symlink loop)';
    }
    if (!st) throw new StudioError('not_found', `${p}: no such model${why} (not a catalog, imported or built-in id, nor an .onnx file)`);
    if (!st.isFile())
      throw new StudioError(
        'bad_model',
        `${p}: not a regular file (${st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : 'a device'})`,
      );
    return buildLocalMeta({ id: file, file, source: 'builtin', sidecar: readSidecarFor(file, this.extraDirs), inspected });
  }

  private readImportSidecar(src: ImportSource, sidecar?: ImportSource): SidecarInfo | null {
    if (!sidecar) return 'path' in src ? readSidecarFor(src.path, this.extraDirs) : null;
    if ('path' in sidecar)
      return parseSidecar(readSidecarText(sidecar.path), sidecar.path, [path.dirname(sidecar.path), ...this.extraDirs]);
    // By value (drop, file dialog): a relative labels file can only be looked up in the known model folders.
    return parseSidecar(Buffer.from(sidecar.bytes).toString('utf8'), sidecar.name, this.extraDirs);
  }

  private writeImported(meta: ModelMeta): void {
    const { status: _s, path: _p, error: _e, ...stored } = meta;
    if (path.isAbsolute(stored.labels) && path.dirname(stored.labels) === this.importedDir) stored.labels = path.basename(stored.labels);
    writeJsonAtomic(path.join(this.importedDir, `${meta.id}.json`), stored);
  }

  private readOverrides(): Record<string, ModelPatch> {
    const read = readJson(this.overridesFile);
    if (!read.ok || typeof read.value !== 'object' || read.value === null) return {};
    const out: Record<string, ModelPatch> = {};
    for (const [id, v] of Object.entries(read.value)) {
      const p = ModelPatch.safeParse(v);
      if (p.success) out[id] = p.data;
    }
    return out;
  }

  private uniqueId(base: string): string {
    const taken = new Set(this.list().map((m) => m.id));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }

  private inspectKey(file: string): string {
    try {
      const st = fs.statSync(file);
      return `${file}|${st.size}|${st.mtimeMs}`;
    } catch {
      return file;
    }
  }
}

function applyPatch(m: ModelMeta, patch: ModelPatch | undefined): ModelMeta {
  return patch ? { ...m, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } : m;
}
