// Reopening a recent photo makes it the current photo of the tool on screen: Classify and Explain share Classify's
// current photo (Explain then maps it at once); Create takes it as its photo, or as the sample for Texture.
import { classify } from '../../lib/state/classify.svelte';
import { models } from '../../lib/state/models.svelte';
import { recent } from '../../lib/state/recent.svelte';
import { toasts } from '../../lib/state/toasts.svelte';
import { ui } from '../../lib/state/ui.svelte';
import { create } from '../create/create.svelte';

export async function openRecent(id: string): Promise<void> {
  const file = await recent.open(id);
  if (!file) return;
  if (ui.tool === 'create' && create.tool === 'texture') {
    create.images.sample = file;
    return;
  }
  const model = models.selected;
  if (!model) {
    toasts.error('No model to classify with yet', 'Download MobileNetV2 or import an .onnx model, then open the photo again.');
    return;
  }
  if (ui.tool === 'create') {
    // The photo chosen here replaces one picked earlier for this view only, so Create follows the shared photo again.
    delete create.images.image;
    delete create.images.content;
  } else if (ui.tool !== 'explain') ui.tool = 'classify';
  classify.run([{ file: { name: file.name, file } }], model);
}
