// What went into an exported result, written into its PNG text chunks so the file explains itself:
// the model (name + sha256), the technique and its parameters, the class, the seed, the app version.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { ModelMeta } from '../../api/contract';
import { APP_VERSION } from '../../version';
import { addPngText, readPngText } from './png-text';

export interface Provenance {
  technique: string;
  method: string;
  model: string;
  modelSha256: string;
  layer?: string;
  class?: { index: number; label: string };
  parameters: Record<string, unknown>;
  seed?: number;
  source?: string;
}

const shaCache = new Map<string, string>();

/** The model file's sha256: from the metadata when known, else hashed once per file version. */
export function modelSha256(meta: ModelMeta): string {
  if (meta.sha256) return meta.sha256;
  if (!meta.path) return 'unknown';
  const st = fs.statSync(meta.path);
  const key = `${meta.path}:${st.mtimeMs}:${st.size}`;
  let sha = shaCache.get(key);
  if (!sha) {
    sha = createHash('sha256').update(fs.readFileSync(meta.path)).digest('hex');
    shaCache.set(key, sha);
  }
  return sha;
}

export const PROVENANCE_KEY = 'vision-studio:provenance';

/** tEXt/iTXt entries: one per field (readable in any PNG inspector) plus the whole record as JSON. */
export function provenanceEntries(p: Provenance): Record<string, string> {
  const e: Record<string, string> = {
    Software: `Vision Studio ${APP_VERSION}`,
    'vision-studio:app-version': APP_VERSION,
    'vision-studio:technique': p.technique,
    'vision-studio:method': p.method,
    'vision-studio:model': p.model,
    'vision-studio:model-sha256': p.modelSha256,
    'vision-studio:parameters': JSON.stringify(p.parameters),
  };
  if (p.layer) e['vision-studio:layer'] = p.layer;
  if (p.class) e['vision-studio:class'] = `${p.class.index} ${p.class.label}`;
  if (p.seed !== undefined) e['vision-studio:seed'] = String(p.seed);
  if (p.source) e.Source = p.source;
  e[PROVENANCE_KEY] = JSON.stringify({ ...p, appVersion: APP_VERSION, created: new Date().toISOString() });
  return e;
}

export function withProvenance(png: Uint8Array, p: Provenance): Buffer {
  return addPngText(png, provenanceEntries(p));
}

export function readProvenance(png: Uint8Array): (Provenance & { appVersion: string }) | null {
  const json = readPngText(png)[PROVENANCE_KEY];
  return json ? JSON.parse(json) : null;
}
