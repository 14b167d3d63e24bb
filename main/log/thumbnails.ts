// Small previews of image artifacts for lists: decoded and resized once (sharp), then kept in a small LRU, so
// scrolling a history of thousands of runs moves kilobytes, not the full-size inputs.
import sharp from 'sharp';
import { StudioError } from '../api/contract';
import type { RunStore } from './store';

const MAX_ENTRIES = 512;

export class Thumbnails {
  private cache = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly store: () => RunStore) {}

  async get(artifactId: number, size: number): Promise<{ mime: string; bytes: Uint8Array }> {
    const key = `${artifactId}:${size}`;
    let p = this.cache.get(key);
    if (p) {
      this.cache.delete(key); // re-insert: most recently used last
    } else {
      p = this.make(artifactId, size);
      p.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, p);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return { mime: 'image/webp', bytes: await p };
  }

  private async make(artifactId: number, size: number): Promise<Uint8Array> {
    const { mime, name, bytes } = this.store().artifact(artifactId);
    if (!mime.startsWith('image/')) throw new StudioError('bad_request', `Artifact ${artifactId} (${name}) is not an image.`);
    try {
      const out = await sharp(bytes, { limitInputPixels: 100_000_000 })
        .rotate()
        .resize(size, size, { fit: 'cover' })
        .webp({ quality: 72 })
        .toBuffer();
      return new Uint8Array(out);
    } catch (e) {
      throw new StudioError(
        'bad_image',
        `Cannot make a thumbnail of ${name || `artifact ${artifactId}`}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
