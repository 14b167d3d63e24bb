// vision-studio style --content F --style F [--style F2 ...] ... --out FILE [--json]
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, COMMON_HELP, num, readImage, runCreateCli } from '../../techniques/create-shared/cli';
import { EXIT, UsageError, type CliIO } from '../io';

export const styleHelp = `Usage: vision-studio style --content FILE --style FILE [--style FILE ...] --out FILE.png
                          [--style-blend 1,1] [--content-weight 1] [--style-weight 100] [--tv-weight 0.001]
                          [--init content|noise|style] [--optimiser lbfgs|adam] [--preserve-color]
                          [--scales 256,512,1024] [--avg-pool] [--content-layer NAME] [--style-layer NAME ...]
                          [--style-layer-weights 1,1,1,1,1] [--lr 5] [common options]

Neural style transfer (Gatys, Ecker & Bethge 2016): content at relu4_2, style at relu1_1 … relu5_1
(or the model's equivalents). Several --style are blended (--style-blend gives their weights).
  --preserve-color  luminance-only transfer: keeps the content's colours
  --scales          multi-scale schedule; each scale starts from the previous result
${COMMON_HELP}`;

export async function styleCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      content: { type: 'string' },
      style: { type: 'string', multiple: true },
      'style-blend': { type: 'string' },
      'content-weight': { type: 'string' },
      'style-weight': { type: 'string' },
      'tv-weight': { type: 'string' },
      init: { type: 'string' },
      optimiser: { type: 'string' },
      'preserve-color': { type: 'boolean', default: false },
      scales: { type: 'string' },
      'avg-pool': { type: 'boolean', default: false },
      'content-layer': { type: 'string' },
      'style-layer': { type: 'string', multiple: true },
      'style-layer-weights': { type: 'string' },
      lr: { type: 'string' },
    },
  });
  if (v.help) return (io.out(styleHelp), EXIT.ok);
  if (!v.style?.length) throw new UsageError('--style FILE is required');
  if (v.init && !['content', 'noise', 'style'].includes(v.init)) throw new UsageError('--init takes content, noise or style');
  if (v.optimiser && v.optimiser !== 'lbfgs' && v.optimiser !== 'adam') throw new UsageError('--optimiser takes lbfgs or adam');
  const blend = v['style-blend']?.split(',').map((x) => num(x, '--style-blend')!) ?? v.style.map(() => 1);
  if (blend.length !== v.style.length) throw new UsageError(`--style-blend needs ${v.style.length} weights`);
  const styles = [];
  for (let i = 0; i < v.style.length; i++) styles.push({ image: await readImage(v.style[i], '--style'), weight: blend[i] });
  const scales = v.scales?.split(',').map((x) => Number(x));
  if (scales?.some((s) => !Number.isInteger(s) || s < 32)) throw new UsageError('--scales takes sizes like 256,512,1024');
  const layerWeights = v['style-layer-weights']?.split(',').map((x) => num(x, '--style-layer-weights')!);
  const params = {
    content: await readImage(v.content, '--content'),
    contentLayer: v['content-layer'],
    styleLayers: v['style-layer'],
    styleLayerWeights: layerWeights,
    learningRate: num(v.lr, '--lr'),
    styles,
    contentWeight: num(v['content-weight'], '--content-weight'),
    styleWeight: num(v['style-weight'], '--style-weight'),
    tvWeight: num(v['tv-weight'], '--tv-weight'),
    init: v.init,
    optimiser: v.optimiser,
    preserveColor: v['preserve-color'],
    scales,
    avgPool: v['avg-pool'],
  };
  return runCreateCli('style', v, params, io);
}
