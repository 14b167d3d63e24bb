// A photo picked or dropped inside this view becomes the studio's current photo (Classify's, which Explain and
// Create use too) without leaving the view. Returns why nothing happened, or ''.
import type { NamedFile } from '../../lib/files/collect';
import { kindOf } from '../../lib/files/kinds';
import { classify } from '../../lib/state/classify.svelte';
import { models } from '../../lib/state/models.svelte';

export function takePhoto(files: NamedFile[]): string {
  const photo = files.find((f) => kindOf(f.name, f.file.type) === 'image');
  if (!photo) return files.length ? `${files[0].name} is not a photo this studio reads (JPEG, PNG, WebP, GIF, TIFF or BMP).` : '';
  if (!models.selected) return 'Download or import a model first (Models, key 6).';
  classify.run([{ file: photo }], models.selected);
  return '';
}
