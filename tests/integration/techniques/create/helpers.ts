// Shared by the create-tool tests: Tiny Darknet (VGG's stand-in) from ../shared/models, photos, decoding.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ModelMeta } from '../../../../main/api/contract';
import { ModelRegistry } from '../../../../main/models/registry';
import type { Reporter } from '../../../../main/techniques/create-shared/progress';
import { makeTempHome } from '../../../helpers/temp-home';
import { sharedPath } from '../../../helpers/shared-models';

export const home = makeTempHome('vs-create-');
process.env.VISION_STUDIO_HOME = home.dir;
// 2 threads: what CI has, and what makes these timings meaningful.
process.env.VISION_STUDIO_THREADS ??= '2';

let meta: Promise<ModelMeta> | null = null;
export function darknet(): Promise<ModelMeta> {
  return (meta ??= new ModelRegistry({ root: path.join(home.dir, 'models') }).resolveAsync(sharedPath('tiny_darknet_224.onnx')));
}

export const photo = (name: string) => ({ name, bytes: new Uint8Array(fs.readFileSync(sharedPath('photos', name))) });

export async function pixels(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(png)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}

/** A reporter that records metrics and previews and can be told to cancel. */
export function recorder() {
  const metrics: { step: number; name: string; value: number }[] = [];
  const previews: { bytes: Uint8Array; step?: number }[] = [];
  const progress: number[] = [];
  let cancelled = false;
  const r: Reporter = {
    progress: (f) => progress.push(f),
    preview: (_m, bytes, step) => previews.push({ bytes, step }),
    metric: (step, name, value) => metrics.push({ step, name, value }),
    throwIfCancelled: () => {
      if (cancelled) throw Object.assign(new Error('cancelled'), { code: 'cancelled' });
    },
  };
  return { r, metrics, previews, progress, cancel: () => (cancelled = true) };
}
