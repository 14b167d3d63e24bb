// What to tell a person before they press Run: the style and texture papers (Gatys et al.) used VGG19, a plain
// stack of 3×3 convolutions; networks built from depthwise convolutions and inverted residuals (MobileNet,
// EfficientNet, ShuffleNet) give Gram matrices that do not describe textures well, and the result is coloured
// noise. Said up front, with the way out (a VGG on disk, or the download), not after the run.
import type { ModelMeta } from '../../../../main/api/contract';
import type { CreateTool } from '../../../../main/techniques/create-shared/params';

export interface Advice {
  text: string;
  /** A better model already on disk, to switch to in one click. */
  use?: { id: string; name: string };
}

const isVgg = (m: Pick<ModelMeta, 'name' | 'family' | 'id'>) => /vgg/i.test(`${m.family} ${m.name} ${m.id}`);
const isMobileType = (m: Pick<ModelMeta, 'name' | 'family' | 'id'>) =>
  /mobilenet|efficientnet|shufflenet|squeezenet|mnas|ghostnet/i.test(`${m.family} ${m.name} ${m.id}`);

export function modelAdvice(tool: CreateTool, model: ModelMeta | null, available: ModelMeta[]): Advice | null {
  if (!model || (tool !== 'style' && tool !== 'texture') || isVgg(model)) return null;
  const what = tool === 'style' ? 'style transfer' : 'textures';
  const vgg = available.find((m) => /vgg19/i.test(`${m.name} ${m.id}`)) ?? available.find(isVgg);
  const why = isMobileType(model)
    ? `${model.name} is built from depthwise convolutions, whose Gram matrices describe ${what === 'textures' ? 'textures' : 'style'} poorly: expect coloured noise.`
    : `${model.name} works, but ${what} look best on a plain stack of convolutions.`;
  const way = vgg ? `Switch to ${vgg.name}.` : 'Download VGG19 (548 MB) or VGG16 in Models.';
  return {
    text: `VGG19 is the recommended model for ${what} (Gatys et al.). ${why} ${way}`,
    use: vgg ? { id: vgg.id, name: vgg.name } : undefined,
  };
}
