// Handlers for recent.* (contract-recent.ts): the recent photos list kept in $VISION_STUDIO_HOME/recent.
import type { HandlerGroup } from '../handlers';
import type { RecentMethods } from '../contract-recent';
import type { RecentPhoto } from '../contract-recent';
import { RecentPhotos, type RecentEntry } from '../../recent/recent-photos';

type RecentMethod = keyof typeof RecentMethods;

export function recentHandlers(): HandlerGroup<RecentMethod> {
  // Made on first use, so VISION_STUDIO_HOME is read when the studio is in use (tests set it per file).
  let store: RecentPhotos | null = null;
  const recent = () => (store ??= new RecentPhotos());
  const withThumbs = (entries: RecentEntry[]): RecentPhoto[] =>
    entries.flatMap((e) => {
      const thumbnail = recent().thumbnail(e.id);
      return thumbnail ? [{ ...e, thumbnail }] : [];
    });
  return {
    'recent.list': async () => ({ photos: withThumbs(recent().list()) }),
    'recent.add': async ({ image, path }) => ({ photos: withThumbs(await recent().add({ name: image.name, bytes: image.bytes, path })) }),
    'recent.open': async ({ id }) => {
      const r = await recent().open(id);
      const photos = withThumbs(recent().list());
      if (!r.ok) return { ...r, photos };
      return { ok: true, name: r.entry.name, ...(r.entry.path && { path: r.entry.path }), bytes: r.bytes, photos };
    },
    'recent.remove': async ({ id }) => ({ photos: withThumbs(await recent().remove(id)) }),
  };
}
