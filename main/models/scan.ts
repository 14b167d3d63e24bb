// Reading the registry's folders into ModelMeta: imported models (meta JSON beside each .onnx) and read-only model
// folders (builtin). Bad files become 'broken' entries with an error, never exceptions, so list() always works.
import fs from 'node:fs';
import path from 'node:path';
import { ModelMeta } from '../api/contract';
import { appRoot } from '../paths';
import type { InspectedModel } from './inspect';
import { isLabelSetId } from './labels';
import { buildLocalMeta } from './local-meta';
import { isInside, isRegularFile } from './safe-read';
import { readSidecarFor } from './sidecar';
import { readJson } from './store';

/** What an imported model's <id>.json holds. */
export const StoredMeta = ModelMeta.omit({ status: true, path: true });

/** VISION_STUDIO_MODEL_DIRS (path-delimited), then ../shared/models beside a developer checkout. */
export function defaultExtraDirs(): string[] {
  const fromEnv = (process.env.VISION_STUDIO_MODEL_DIRS ?? '').split(path.delimiter).filter(Boolean);
  const shared = path.resolve(appRoot(), '..', 'shared', 'models');
  return [...fromEnv, ...(fs.existsSync(shared) ? [shared] : [])].map((d) => path.resolve(d));
}

export function scanImported(importedDir: string): ModelMeta[] {
  let names: string[];
  try {
    names = fs.readdirSync(importedDir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => {
    const id = n.slice(0, -'.json'.length);
    const file = path.join(importedDir, `${id}.onnx`);
    const read = readJson(path.join(importedDir, n));
    const parsed = read.ok ? StoredMeta.safeParse(read.value) : null;
    if (!read.ok || !parsed?.success) {
      const issue = parsed && !parsed.success ? parsed.error.issues[0] : undefined;
      const error = read.ok ? `${n}: invalid metadata (${issue?.path.join('.')}: ${issue?.message})` : read.error;
      return { ...buildLocalMeta({ id, file, source: 'imported' }), status: 'broken', error };
    }
    const m: ModelMeta = { ...parsed.data, id, source: 'imported', status: 'available', path: file };
    if (!isLabelSetId(m.labels)) {
      // Only a labels file the import copied in; a path elsewhere (hand-edited JSON, older versions) is not read.
      const labels = path.resolve(importedDir, m.labels);
      const missingInside = !fs.existsSync(labels) && labels.startsWith(path.resolve(importedDir) + path.sep);
      m.labels = isInside(importedDir, labels) || missingInside ? labels : 'none';
      if (m.labels === 'none')
        m.notes = [m.notes, `Labels file ${labels} is outside the studio's folder; ignored.`].filter(Boolean).join(' ');
    }
    if (!fs.existsSync(file)) return { ...m, status: 'broken', error: `${file}: model file is missing` };
    if (!isRegularFile(file)) return { ...m, status: 'broken', error: `${file}: not a regular file` };
    return m;
  });
}

/** Builtin ids are file stems (mobilenet_v2_1.0_224). `inspected` supplies cached graph facts where known. */
export function scanModelDirs(dirs: string[], inspected: (file: string) => InspectedModel | undefined): ModelMeta[] {
  return dirs.flatMap((dir) => {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => /\.onnx$/i.test(n));
    } catch {
      return [];
    }
    return names.sort().map((n) => {
      const file = path.join(dir, n);
      const id = n.replace(/\.onnx$/i, '');
      // A FIFO or folder named x.onnx would block or fail deep inside ONNX Runtime later.
      if (!isRegularFile(file))
        return { ...buildLocalMeta({ id, file, source: 'builtin' }), status: 'broken' as const, error: `${file}: not a regular file` };
      try {
        return buildLocalMeta({
          id,
          file,
          source: 'builtin',
          sidecar: readSidecarFor(file),
          inspected: inspected(file),
          sizeBytes: fs.statSync(file).size,
        });
      } catch (e) {
        return { ...buildLocalMeta({ id, file, source: 'builtin' }), status: 'broken' as const, error: (e as Error).message };
      }
    });
  });
}
