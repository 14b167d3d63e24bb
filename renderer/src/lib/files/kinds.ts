// What a dropped or opened file is, decided by its name (and MIME type where the name says nothing).

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'bmp'] as const;
export const SUPPORTED_IMAGES_TEXT = 'JPEG, PNG, WebP, GIF, TIFF or BMP';
/** Formats a browser can show as a thumbnail (TIFF is classified by the engine but not displayed by Chromium). */
const PREVIEWABLE = new Set(['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp']);

export type FileKind = 'image' | 'model' | 'sidecar' | 'other';

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function kindOf(name: string, mime = ''): FileKind {
  const ext = extensionOf(name);
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return 'image';
  if (ext === 'onnx') return 'model';
  if (ext === 'json') return 'sidecar';
  if (ext === '' && mime.startsWith('image/')) return 'image';
  return 'other';
}

export function canPreview(name: string, mime = ''): boolean {
  const ext = extensionOf(name);
  if (ext) return PREVIEWABLE.has(ext);
  return mime.startsWith('image/') && !mime.includes('tiff');
}

/** "photos/cat.png" -> "photos/cat" (for pairing X.onnx with its sidecar X.json). */
export function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
