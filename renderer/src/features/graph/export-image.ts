// The whole graph as a standalone SVG (styles resolved, so it looks the same outside the page, in either
// theme) and as a PNG drawn from that SVG. The live canvas is cloned, not redrawn: one drawing code.
import type { LayoutResult } from './layout-client';

const PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linejoin',
  'paint-order',
  'font-family',
  'font-size',
  'font-weight',
];

/** Copies the computed look of every element onto its clone (the two trees have the same shape). */
function inline(src: Element, dst: Element): void {
  const cs = getComputedStyle(src);
  const style = PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
  dst.setAttribute('style', style);
  dst.removeAttribute('class');
  for (let i = 0; i < src.children.length; i++) inline(src.children[i], dst.children[i]);
}

export function graphSvg(svg: SVGSVGElement, layout: LayoutResult): string {
  const content = svg.querySelector('g.content');
  const defs = svg.querySelector('defs');
  if (!content || !defs) throw new Error('the graph is not drawn yet');
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const ns = 'http://www.w3.org/2000/svg';
  const out = document.createElementNS(ns, 'svg');
  out.setAttribute('xmlns', ns);
  out.setAttribute('width', String(w));
  out.setAttribute('height', String(h));
  out.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('width', String(w));
  bg.setAttribute('height', String(h));
  bg.setAttribute('fill', getComputedStyle(svg.parentElement ?? svg).backgroundColor || '#fff');
  const d = defs.cloneNode(true) as Element;
  inline(defs, d);
  const g = content.cloneNode(true) as Element;
  inline(content, g);
  g.removeAttribute('transform');
  out.append(d, bg, g);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}`;
}

/** Chromium refuses canvases over ~16k px a side or ~268 M pixels: big graphs are drawn smaller. */
export function pngScale(w: number, h: number): number {
  return Math.min(2, 16_000 / w, 16_000 / h, Math.sqrt(120e6 / (w * h)));
}

export async function graphPng(svgText: string, layout: LayoutResult): Promise<Uint8Array> {
  const scale = pngScale(layout.width, layout.height);
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = Math.ceil(layout.width * scale);
    c.height = Math.ceil(layout.height * scale);
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('no 2-D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    const blob = await new Promise<Blob | null>((r) => c.toBlob(r, 'image/png'));
    if (!blob) throw new Error(`the picture is too large to draw (${c.width}×${c.height})`);
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}
