// The adversarial result as pictures: original | adversarial | perturbation ×10 | Grad-CAM before |
// Grad-CAM after, each tile captioned with its top-1, as one PNG; and the adversarial image alone.
import sharp from 'sharp';
import type { ModelMeta } from '../../api/contract';
import { computeCam, type RgbImage } from '../cam/cam';
import { renderOverlay, DEFAULT_OVERLAY } from '../shared/overlay';
import { modelSha256, withProvenance, type Provenance } from '../shared/provenance';
import type { AttackResult } from './attack';

const rawPng = (img: RgbImage) =>
  sharp(Buffer.from(img.rgb.buffer, img.rgb.byteOffset, img.rgb.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .png()
    .toBuffer();

export function attackProvenance(r: AttackResult, meta: ModelMeta, source?: string): Provenance {
  return {
    technique: 'adversarial',
    method: r.method,
    model: meta.id,
    modelSha256: modelSha256(meta),
    class: { index: r.adversarial[0].index, label: r.adversarial[0].label },
    parameters: {
      epsilon: r.epsilon,
      steps: r.steps,
      stepSize: r.stepSize,
      target: r.target,
      original: r.original[0],
      adversarial: r.adversarial[0],
      smallestFlipEpsilon: r.smallestFlipEpsilon,
      photoResolution: { adversarial: r.photo.adversarial[0], success: r.photo.success },
    },
    source,
  };
}

/** The adversarial image at the photo's resolution (`size: 'model'`: at the model's input size), with provenance. */
export async function adversarialPng(
  r: AttackResult,
  meta: ModelMeta,
  source?: string,
  size: 'photo' | 'model' = 'photo',
): Promise<Buffer> {
  return withProvenance(await rawPng(size === 'photo' ? r.photo.image : r.adversarialImage), attackProvenance(r, meta, source));
}

const short = (label: string) => label.split(',')[0];

/** Five captioned tiles side by side; the CAMs are Grad-CAM for each image's own top-1. */
export async function adversarialPanel(r: AttackResult, meta: ModelMeta, labels: readonly string[], source?: string): Promise<Buffer> {
  const before = await computeCam(meta, labels, 'original', r.originalImage, { method: 'gradcam' });
  const after = await computeCam(meta, labels, 'adversarial', r.adversarialImage, { method: 'gradcam' });
  const cam = (c: typeof before) => renderOverlay(c.image, c.full, { ...DEFAULT_OVERLAY, colorbar: false });
  const tiles = await Promise.all([
    rawPng(r.originalImage),
    rawPng(r.adversarialImage),
    rawPng(r.perturbationImage),
    cam(before),
    cam(after),
  ]);
  const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
  const captions = [
    `original: ${short(r.original[0].label)} ${pct(r.original[0].probability)}`,
    `${r.method.toUpperCase()} ε=${(r.epsilon * 255).toFixed(1)}/255: ${short(r.adversarial[0].label)} ${pct(r.adversarial[0].probability)}`,
    'perturbation ×10',
    `Grad-CAM: ${short(before.class.label)}`,
    `Grad-CAM: ${short(after.class.label)}`,
  ];
  const { width: w, height: h } = r.originalImage;
  const pad = 8;
  const capH = 22;
  const W = tiles.length * (w + pad) + pad;
  const H = h + capH + 2 * pad;
  const esc = (s: string) => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${captions
    .map(
      (c, i) =>
        `<text x="${pad + i * (w + pad)}" y="${h + pad + 16}" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#eee">${esc(c)}</text>`,
    )
    .join('')}</svg>`;
  const png = await sharp({ create: { width: W, height: H, channels: 3, background: '#1b1d22' } })
    .composite([...tiles.map((t, i) => ({ input: t, left: pad + i * (w + pad), top: pad })), { input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
  return withProvenance(png, attackProvenance(r, meta, source));
}
