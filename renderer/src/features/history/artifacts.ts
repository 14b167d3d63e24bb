// Artifact bytes and blob URLs, fetched once per artifact id (ids never change meaning) and shared by every view.
import { connection } from '../../lib/state/connection.svelte';

const bytesCache = new Map<number, Promise<{ mime: string; bytes: Uint8Array }>>();
const urlCache = new Map<number, Promise<string>>();
const MAX = 400;

export function artifactBytes(id: number): Promise<{ mime: string; bytes: Uint8Array }> {
  let p = bytesCache.get(id);
  if (!p) {
    p = connection.call('runs.artifact', { artifactId: id });
    p.catch(() => bytesCache.delete(id));
    bytesCache.set(id, p);
    if (bytesCache.size > MAX) bytesCache.delete(bytesCache.keys().next().value!);
  }
  return p;
}

export function artifactUrl(id: number): Promise<string> {
  let p = urlCache.get(id);
  if (!p) {
    p = artifactBytes(id).then(({ mime, bytes }) => URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime })));
    p.catch(() => urlCache.delete(id));
    urlCache.set(id, p);
    if (urlCache.size > MAX) {
      const [oldId, old] = urlCache.entries().next().value!;
      urlCache.delete(oldId);
      void old.then((u) => URL.revokeObjectURL(u)).catch(() => {});
    }
  }
  return p;
}

const thumbCache = new Map<string, Promise<string>>();

/** A small WebP made by the engine (thumbnails in lists), as a blob URL. */
export function thumbnailUrl(id: number, size: number): Promise<string> {
  const key = `${id}:${size}`;
  let p = thumbCache.get(key);
  if (!p) {
    p = connection
      .call('runs.thumbnail', { artifactId: id, size })
      .then(({ mime, bytes }) => URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime })));
    p.catch(() => thumbCache.delete(key));
    thumbCache.set(key, p);
    if (thumbCache.size > MAX) {
      const [oldKey, old] = thumbCache.entries().next().value!;
      thumbCache.delete(oldKey);
      void old.then((u) => URL.revokeObjectURL(u)).catch(() => {});
    }
  }
  return p;
}
