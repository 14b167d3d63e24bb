// Recent photos (recent.*): the photos a person opened lately in any tool, kept by the engine across restarts, so
// they can be reopened without dropping them again (#13). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';
import { Bytes, FilePayload } from './contract-shapes';

const PhotoId = z.string().regex(/^[0-9a-f]{64}$/, 'a recent photo id is the SHA-256 of the photo');

export const RecentPhoto = z.object({
  /** SHA-256 of the photo's bytes: the same picture opened twice is one entry. */
  id: PhotoId,
  name: z.string(),
  /** Where it was opened from, when the host knows (the desktop app); browser mode reopens the studio's copy. */
  path: z.string().optional(),
  sizeBytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** Epoch milliseconds. */
  openedAt: z.number(),
  /** A small WebP (160 px, cropped square). */
  thumbnail: Bytes,
});
export type RecentPhoto = z.infer<typeof RecentPhoto>;

const List = z.object({ photos: z.array(RecentPhoto) });

export const RecentMethods = {
  /** Newest first, at most 12. */
  'recent.list': { params: z.object({}), result: List },
  /** Puts a photo the person just opened at the top (a file that does not decode is refused, naming it). */
  'recent.add': {
    params: z.object({ image: FilePayload, path: z.string().min(1).max(4096).optional() }),
    result: List,
  },
  /**
   * The photo's bytes, read again from where it was opened and checked against its SHA-256. A photo deleted, moved
   * or changed since is not an error: `ok: false` with a message naming the file, and it leaves the list.
   */
  'recent.open': {
    params: z.object({ id: PhotoId }),
    result: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), name: z.string(), path: z.string().optional(), bytes: Bytes, photos: z.array(RecentPhoto) }),
      z.object({
        ok: z.literal(false),
        problem: z.enum(['missing', 'changed', 'unreadable']),
        message: z.string(),
        photos: z.array(RecentPhoto),
      }),
    ]),
  },
  'recent.remove': { params: z.object({ id: PhotoId }), result: List },
} satisfies Record<`recent.${string}`, { params: z.ZodType; result: z.ZodType }>;
