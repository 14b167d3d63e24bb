// Saving from the page works the same in Electron and in the browser: a blob URL and a download link.

export const blobUrl = (data: Uint8Array | string, mime = 'image/png'): string =>
  URL.createObjectURL(new Blob([data as BlobPart], { type: mime }));

export function download(data: Uint8Array | string, filename: string, mime: string): void {
  const url = blobUrl(data, mime);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
