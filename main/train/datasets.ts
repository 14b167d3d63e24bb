// Managed datasets: folders under VISION_STUDIO_HOME/datasets that the page fills file by file (browser mode
// cannot hand the engine a path), and the resolution of a dataset reference (such an id, or an absolute folder
// the engine reads in place). Names from the page are untrusted: a label or file name can never leave its
// dataset folder, and sizes are checked before anything is written.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../api/contract';
import { datasetsDir } from '../paths';

export const MAX_UPLOAD_FILE = 64 * 1024 * 1024;
const ID = /^ds-[a-z0-9-]{1,80}$/;

/** One path component from a name the page sent: no separators, no dot files, no control characters. */
function component(name: string, what: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  if (!clean || clean === '.' || clean === '..' || clean.startsWith('.'))
    throw new StudioError('bad_request', `${what} "${name}" cannot be a file name`);
  return clean.slice(0, 200);
}

export function createDataset(name?: string): { id: string; root: string } {
  const slug = (name ?? 'dataset')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const id = `ds-${slug || 'dataset'}-${randomBytes(4).toString('hex')}`;
  const root = path.join(datasetsDir(), id);
  fs.mkdirSync(root, { recursive: true });
  return { id, root };
}

export interface UploadFile {
  label: string;
  name: string;
  bytes: Uint8Array;
}

/** Writes files into `<dataset>/<label>/<name>`; a file that cannot be stored is listed with the reason. */
export function addFiles(id: string, files: UploadFile[]): { added: number; skipped: { file: string; reason: string }[] } {
  const root = managedRoot(id);
  const skipped: { file: string; reason: string }[] = [];
  let added = 0;
  for (const f of files) {
    const shown = `${f.label}/${f.name}`;
    try {
      if (f.bytes.byteLength > MAX_UPLOAD_FILE) throw new StudioError('image_too_large', `larger than ${MAX_UPLOAD_FILE / 2 ** 20} MiB`);
      const dir = path.join(root, component(f.label, 'class'));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, component(f.name, 'file'));
      const tmp = `${file}.part-${randomBytes(3).toString('hex')}`;
      fs.writeFileSync(tmp, f.bytes);
      fs.renameSync(tmp, file);
      added++;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOSPC') throw new StudioError('disk_full', `The disk is full: ${shown} could not be saved.`);
      skipped.push({ file: shown, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { added, skipped };
}

function managedRoot(id: string): string {
  if (!ID.test(id)) throw new StudioError('bad_request', `"${id}" is not a dataset id`);
  const root = path.join(datasetsDir(), id);
  if (!fs.existsSync(root)) throw new StudioError('not_found', `no dataset ${id}`);
  return root;
}

/** The folder a dataset reference names: a managed id, or an existing absolute folder. */
export function resolveDataset(ref: string): string {
  if (ID.test(ref)) return managedRoot(ref);
  if (!path.isAbsolute(ref)) throw new StudioError('bad_request', `dataset "${ref}": give a dataset id or an absolute folder path`);
  let st: fs.Stats;
  try {
    st = fs.statSync(ref);
  } catch {
    throw new StudioError('not_found', `${ref}: no such folder`);
  }
  if (!st.isDirectory()) throw new StudioError('bad_request', `${ref} is not a folder: give the folder that holds one folder per class`);
  return ref;
}

/**
 * Images the engine may hand back to the page (confusion-matrix cells, top losses): only files of datasets it
 * opened for a training or evaluation run, never any other path a client names.
 */
export class OpenedFiles {
  private readonly files = new Set<string>();
  add(files: Iterable<string>): void {
    for (const f of files) this.files.add(path.resolve(f));
    // Bounded: a long session of runs keeps the newest 1M paths.
    while (this.files.size > 1_000_000) this.files.delete(this.files.values().next().value as string);
  }
  has(file: string): boolean {
    return this.files.has(path.resolve(file));
  }
}
