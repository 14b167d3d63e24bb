// The recent photos list: what the engine keeps in the studio's folder (recent.*), with thumbnails as object URLs.
// Opening a photo in any tool remembers it; reopening one asks the engine for its bytes, which it reads again from
// where the photo was opened and checks, so a photo deleted or changed since is named in a message, never used.
import type { RecentPhoto } from '../../../../main/api/contract';
import { hostPath } from '../files/host-path';
import { extensionOf } from '../files/kinds';
import { connection } from './connection.svelte';
import { toasts } from './toasts.svelte';

export interface RecentItem extends Omit<RecentPhoto, 'thumbnail'> {
  thumbUrl: string;
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

class Recent {
  items = $state<RecentItem[]>([]);
  loaded = $state(false);
  /** The id being reopened (its tile shows it is busy). */
  opening = $state<string | null>(null);
  /** Files made from a recent photo: reopening one is not a new open to remember (and it has no path). */
  private reopened = new WeakSet<File>();
  private loading: Promise<void> | null = null;

  /** Loads the list once the engine is reachable; later calls reuse the first. */
  ensureLoaded(): Promise<void> {
    if (this.loaded || connection.state !== 'open') return Promise.resolve();
    this.loading ??= connection
      .call('recent.list', {})
      .then(({ photos }) => this.show(photos))
      .catch(() => undefined) // no list is no loss: the tools work without it
      .finally(() => (this.loading = null));
    return this.loading;
  }

  /** Called when a person opens a photo in any tool. Files the engine cannot decode are left out quietly: the tool says why. */
  remember(file: File, name = file.name): void {
    if (this.reopened.has(file) || file.size === 0) return;
    const path = hostPath(file);
    void (async () => {
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const { photos } = await connection.call('recent.add', { image: { name, bytes }, ...(path && { path }) });
        this.show(photos);
      } catch {
        /* not an image, or too large to keep a copy of: nothing to remember */
      }
    })();
  }

  /** The photo as a File, or null after telling the person why it cannot be opened (it then leaves the list). */
  async open(id: string): Promise<File | null> {
    const item = this.items.find((p) => p.id === id);
    this.opening = id;
    try {
      const r = await connection.call('recent.open', { id });
      this.show(r.photos);
      if (!r.ok) {
        toasts.error(
          r.problem === 'changed' ? `${item?.name ?? 'The photo'} has changed` : `${item?.name ?? 'The photo'} is gone`,
          r.message,
        );
        return null;
      }
      const file = new File([r.bytes as Uint8Array<ArrayBuffer>], r.name, { type: MIME[extensionOf(r.name)] ?? '' });
      this.reopened.add(file);
      return file;
    } catch (e) {
      toasts.error(`Could not open ${item?.name ?? 'the photo'}`, e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      this.opening = null;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      this.show((await connection.call('recent.remove', { id })).photos);
    } catch (e) {
      toasts.error('Could not change the recent photos', e instanceof Error ? e.message : String(e));
    }
  }

  private show(photos: RecentPhoto[]): void {
    const old = this.items;
    this.items = photos.map(({ thumbnail, ...p }) => ({
      ...p,
      thumbUrl: URL.createObjectURL(new Blob([thumbnail as Uint8Array<ArrayBuffer>], { type: 'image/webp' })),
    }));
    this.loaded = true;
    for (const o of old) URL.revokeObjectURL(o.thumbUrl);
  }
}

export const recent = new Recent();

/** "just now", "5 min ago", "3 h ago", "yesterday", "12 Mar". */
export function openedText(at: number, now = Date.now()): string {
  const s = Math.max(0, (now - at) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 2 * 86_400) return 'yesterday';
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }).format(at);
}
