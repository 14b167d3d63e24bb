// The difference of two images as an image: |A - B| per channel, amplified so small changes show, on B's size.
// Computed on a canvas in the renderer (no engine round trip; the two images are already loaded).
export async function differenceUrl(a: string, b: string, gain = 4): Promise<{ url: string; meanAbs: number }> {
  const [ia, ib] = await Promise.all([loadImage(a), loadImage(b)]);
  const w = ib.naturalWidth;
  const h = ib.naturalHeight;
  const pixels = (img: HTMLImageElement) => {
    const c = new OffscreenCanvas(w, h);
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0, w, h);
    return g.getImageData(0, 0, w, h);
  };
  const pa = pixels(ia).data;
  const out = pixels(ib);
  const pb = out.data;
  let sum = 0;
  for (let i = 0; i < pb.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(pa[i + c] - pb[i + c]);
      sum += d;
      pb[i + c] = Math.min(255, d * gain);
    }
    pb[i + 3] = 255;
  }
  const canvas = new OffscreenCanvas(w, h);
  canvas.getContext('2d')!.putImageData(out, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return { url: URL.createObjectURL(blob), meanAbs: sum / ((pb.length / 4) * 3) };
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('image failed to load'));
    img.src = src;
  });
}
