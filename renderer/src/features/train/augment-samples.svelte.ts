// The augmentation preview's state: augmented copies of one training image (train.augmentPreview) as blob URLs,
// revoked when the next ones replace them; of two requests on their way, only the newer one is shown.
import type { AugmentId } from '../../../../main/api/contract';
import { blobUrl } from '../../lib/files/download';
import { connection } from '../../lib/state/connection.svelte';

export interface SampleRequest {
  dataset: string;
  augment: AugmentId[];
  seed: number;
}

export class AugmentSamples {
  shown = $state.raw<{ file: string; urls: string[] } | null>(null);
  /** Which training image of the dataset is shown. */
  index = $state(0);
  busy = $state(false);
  error = $state('');
  private token = 0;

  /** Eight augmented copies of image `index` (the image itself when no augmentation is chosen). */
  async refresh(req: SampleRequest): Promise<void> {
    const token = ++this.token;
    this.busy = true;
    try {
      const r = await connection.call('train.augmentPreview', {
        dataset: req.dataset,
        index: this.index,
        augment: req.augment,
        size: 96,
        n: req.augment.length ? 8 : 1,
        seed: req.seed,
      });
      if (token !== this.token) return;
      this.clear();
      this.shown = { file: r.file, urls: r.images.map((b) => blobUrl(b)) };
      this.error = '';
    } catch (e) {
      if (token !== this.token) return;
      this.clear();
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (token === this.token) this.busy = false;
    }
  }

  clear(): void {
    for (const u of this.shown?.urls ?? []) URL.revokeObjectURL(u);
    this.shown = null;
  }
}
