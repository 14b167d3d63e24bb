// One MobileNetV2, not two: a catalog entry of the network a bundled model already is (same display name, e.g. the
// ONNX Model Zoo's "MobileNetV2" beside the bundled MobileNetV2) is not offered for download. A person who has the
// network expects to see it once, ready; the zoo file would be a second copy of it under the same name. Once
// downloaded or downloading (from the CLI, or before a bundled copy arrived) it is a model on disk and shows as such.
import type { ModelMeta } from '../../../../main/api/contract';

/** "MobileNetV2", "mobilenet-v2", "MobileNet V2" are one key. */
const networkKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The bundled, ready model that makes this catalog entry redundant, if any. Names are display names. */
export function bundledTwin(entry: ModelMeta, list: readonly ModelMeta[]): ModelMeta | undefined {
  if (entry.source !== 'catalog' || entry.status !== 'missing') return undefined;
  const key = networkKey(entry.name);
  return list.find((m) => m.source === 'builtin' && m.status === 'available' && networkKey(m.name) === key);
}

/** The catalog as the Models view offers it: entries not on disk, less those a bundled model already is. */
export function catalogOffer(list: readonly ModelMeta[]): ModelMeta[] {
  return list.filter((m) => (m.status === 'missing' || m.status === 'downloading') && !bundledTwin(m, list));
}
