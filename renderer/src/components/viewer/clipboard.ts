// Copying a shown picture to the clipboard and dragging it out of the window as a file.
// The clipboard takes PNG everywhere (Chromium's async clipboard writes only image/png), so every picture is
// redrawn to PNG first.

/**
 * The picture an <img> shows, as a PNG blob. Drawn from the element itself: the page's CSP lets no fetch() read
 * blob: URLs, and a same-origin blob image leaves the canvas readable.
 */
export function pngBlob(img: HTMLImageElement): Promise<Blob> {
  const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  canvas.getContext('2d')!.drawImage(img, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** Puts the picture on the system clipboard as an image (paste it into any editor or chat). */
export async function copyImage(img: HTMLImageElement): Promise<void> {
  if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined')
    throw new Error('this window has no access to the clipboard for images');
  if (!img.complete || img.naturalWidth === 0) throw new Error('the picture has not loaded yet');
  // The promise form keeps the user's click as the gesture while the PNG is being made (Safari needs it).
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': pngBlob(img) })]);
}

/** A file name for a picture: the given name with the extension its type calls for. */
export function fileNameFor(name: string, mime: string): string {
  const ext = mime === 'image/jpeg' ? 'jpg' : mime === 'image/webp' ? 'webp' : mime === 'image/gif' ? 'gif' : 'png';
  const stem = (name || 'image').replace(/[\\/:*?"<>|]+/g, '_').replace(/\.(png|jpe?g|webp|gif|bmp|tiff?)$/i, '');
  return `${stem}.${ext}`;
}

/**
 * Fills a drag that starts on the picture so dropping it on the desktop or a file manager saves it
 * (Chromium's DownloadURL), and dropping it on another app hands over its address.
 */
export function fillDrag(e: DragEvent, url: string, name: string, mime = 'image/png'): void {
  const dt = e.dataTransfer;
  if (!dt) return;
  dt.effectAllowed = 'copy';
  dt.setData('DownloadURL', `${mime}:${fileNameFor(name, mime)}:${url}`);
  dt.setData('text/uri-list', url);
}
