// Content and style images at one scale of the schedule, with colour preservation applied
// (luminance-only transfer: both become grey, the style's luminance matched to the content's).
import type { Preprocessing } from '../../api/contract';
import type { StyleParams } from '../create-shared/params';
import { loadRgb, matchLuminance, rgbToImg, splitLuminance, type Img } from '../create-shared/pixels';

export interface ScaleInputs {
  content: Img;
  styles: Img[];
  /** The content's colour planes (I, Q of YIQ) when preserving colour. */
  chroma?: { i: Float32Array; q: Float32Array };
}

/** Longer side `scale`; or, for a model that takes one size (`fixed`), exactly that size, centre-cropped. */
export async function scaleInputs(
  p: StyleParams,
  pre: Preprocessing,
  scale: number,
  multiple: number,
  fixed?: { width: number; height: number } | null,
): Promise<ScaleInputs> {
  const load = (name: string, bytes: Uint8Array) => loadRgb(name, bytes, fixed ?? scale, multiple, fixed ? 'cover' : 'fill');
  const c = await load(p.content.name, p.content.bytes);
  const styles = await Promise.all(p.styles.map((s) => load(s.image.name, s.image.bytes)));
  if (!p.preserveColor) return { content: rgbToImg(c, pre), styles: styles.map((s) => rgbToImg(s, pre)) };
  const cs = splitLuminance(c.rgb);
  const grey = { ...c, rgb: cs.grey };
  const greyStyles = styles.map((s) => ({ ...s, rgb: matchLuminance(splitLuminance(s.rgb).grey, cs.y) }));
  return { content: rgbToImg(grey, pre), styles: greyStyles.map((s) => rgbToImg(s, pre)), chroma: { i: cs.i, q: cs.q } };
}
