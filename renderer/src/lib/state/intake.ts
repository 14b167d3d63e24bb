// Everything that arrives (drop, paste, Open) goes through here: models are imported, images classified,
// anything else is named and explained. One bad file never stops the others.
import type { NamedFile } from '../files/collect';
import { kindOf, stem, SUPPORTED_IMAGES_TEXT } from '../files/kinds';
import { classify, type Intake } from './classify.svelte';
import { models } from './models.svelte';
import { toasts } from './toasts.svelte';
import { ui } from './ui.svelte';

export async function intake(files: NamedFile[], opts: { truncated?: boolean } = {}): Promise<void> {
  if (files.length === 0) {
    toasts.info('Nothing to open', 'The drop held no files. Drop photos, a folder of photos or an .onnx model.');
    return;
  }
  const onnx = files.filter((f) => kindOf(f.name, f.file.type) === 'model');
  const json = files.filter((f) => kindOf(f.name, f.file.type) === 'sidecar');
  const images: Intake[] = [];
  let skipped = 0;
  for (const f of files) {
    const kind = kindOf(f.name, f.file.type);
    if (kind === 'image') images.push({ file: f });
    else if (kind === 'other') {
      // Inside a dropped folder, stray files (READMEs, thumbnails dbs) are skipped quietly; files dropped by hand are explained.
      if (f.name.includes('/')) skipped++;
      else images.push({ file: f, reject: `Not a supported image: Vision Studio reads ${SUPPORTED_IMAGES_TEXT}.` });
    }
  }

  // Models first, so images dropped together with a model are classified by it.
  const usedSidecars = new Set<NamedFile>();
  for (const m of onnx) {
    const sidecar = json.find((j) => stem(j.name) === stem(m.name)) ?? (onnx.length === 1 && json.length === 1 ? json[0] : undefined);
    if (sidecar) usedSidecars.add(sidecar);
    await models.importModel(m, sidecar);
  }
  for (const j of json) {
    if (!usedSidecars.has(j))
      toasts.error(`${j.name}: not used`, 'A .json sidecar is read only when dropped together with its .onnx model (same name).');
  }
  if (skipped > 0) toasts.info(`Skipped ${skipped} file${skipped === 1 ? '' : 's'} that are not images`);
  if (opts.truncated) toasts.info('Only the first 5000 files were taken', 'Drop smaller folders to classify the rest.');

  if (images.length === 0) {
    if (onnx.length > 0) ui.tool = 'models';
    return;
  }
  const model = models.selected;
  if (!model) {
    toasts.error('No model to classify with yet', 'Download MobileNetV2 or import an .onnx model, then drop the photos again.');
    ui.tool = 'classify';
    return;
  }
  // One photo dropped on Explain is explained there (Explain works on the photo Classify holds); anything else shows in Classify.
  if (!(ui.tool === 'explain' && images.length === 1)) ui.tool = 'classify';
  classify.run(images, model);
}
