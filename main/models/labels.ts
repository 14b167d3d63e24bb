// Label sets: ids for the sets we ship ('imagenet1k', 'imagenet1001') or an absolute path to a text file, one label a line.
// Which paths a model may name is decided where its metadata is made (registry, sidecar); here a file is only read
// safely: a regular file within MAX_LABELS_BYTES, never a FIFO or device.
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../api/contract';
import { resourcesDir } from '../paths';
import { MAX_LABELS_BYTES, readRegularFile } from './safe-read';

/** 'none': no names known; every index shows as 'class N'. */
export const BUILTIN_LABEL_SETS = ['imagenet1k', 'imagenet1001', 'none'] as const;

export function isLabelSetId(s: string): boolean {
  return (BUILTIN_LABEL_SETS as readonly string[]).includes(s);
}

const cache = new Map<string, readonly string[]>();

function readLines(file: string): string[] {
  const text = readRegularFile(file, { maxBytes: MAX_LABELS_BYTES, what: `labels file ${file}` }).toString('utf8');
  // Tolerate CRLF and a trailing newline; blank lines in the middle keep their index (they map to a fallback).
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.trim());
}

/** Loads a label set by id or absolute path (cached; files are re-read when their mtime changes). */
export function loadLabels(idOrPath: string): readonly string[] {
  if (idOrPath === 'none') return [];
  if (idOrPath === 'imagenet1k' || idOrPath === 'imagenet1001') {
    const hit = cache.get(idOrPath);
    if (hit) return hit;
    const k1 = readLines(path.join(resourcesDir(), 'labels', 'imagenet1k.txt'));
    // imagenet1001 = TF-slim order: index 0 is 'background', then the standard 1000.
    const labels = Object.freeze(idOrPath === 'imagenet1k' ? k1 : ['background', ...k1]);
    cache.set(idOrPath, labels);
    return labels;
  }
  if (!path.isAbsolute(idOrPath))
    throw new StudioError('not_found', `unknown label set "${idOrPath}" (use imagenet1k, imagenet1001, none or an absolute file path)`);
  let key: string;
  try {
    key = `${idOrPath}\0${fs.statSync(idOrPath).mtimeMs}`;
  } catch {
    throw new StudioError('not_found', `labels file ${idOrPath}: not found`);
  }
  const hit = cache.get(key);
  if (hit) return hit;
  const labels = Object.freeze(readLines(idOrPath));
  cache.set(key, labels);
  return labels;
}

/** Label for output index `index`: line index + offset, or 'class N' where the file has no such line. */
export function labelFor(labels: readonly string[], index: number, offset = 0): string {
  const label = labels[index + offset];
  return label ? label : `class ${index}`;
}

/** Shortest readable form of a label ("tench, Tinca tinca" -> "tench"); the UI uses it for compact lists. */
export function shortLabel(label: string): string {
  return label.split(',')[0].trim();
}
