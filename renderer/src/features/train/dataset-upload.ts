// A dropped or picked folder of class folders becomes a managed dataset in the engine: train.datasetCreate,
// then train.datasetAdd batch by batch. The Train view uploads train/ and val/ halves this way, the Projector
// view everything as one set.
import type { SkippedFile } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';
import { batches, type Labelled } from './dataset-files';

export interface UploadHooks {
  /** False once the person has moved on (another drop, a folder path): the upload stops between batches. */
  current: () => boolean;
  /** After each batch the engine stored: how many files it held. */
  progress: (files: number) => void;
  /** The files the engine refused are added here, their names after `prefix`. */
  skipped: SkippedFile[];
  prefix?: string;
}

/** Uploads `files` into a new managed dataset named `name`: its id, or null when the upload stopped (not current). */
export async function uploadDataset(name: string, files: Labelled[], hooks: UploadHooks): Promise<string | null> {
  const { id } = await connection.call('train.datasetCreate', { name });
  const prefix = hooks.prefix ?? '';
  for (const batch of batches(files)) {
    if (!hooks.current()) return null;
    const payload = await Promise.all(
      batch.map(async (f) => ({ label: f.label, name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) })),
    );
    const r = await connection.call('train.datasetAdd', { id, files: payload });
    hooks.skipped.push(...r.skipped.map((s) => ({ file: `${prefix}${s.file}`, reason: s.reason })));
    if (!hooks.current()) return null;
    hooks.progress(batch.length);
  }
  return id;
}
