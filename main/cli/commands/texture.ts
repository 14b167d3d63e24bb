// vision-studio texture --sample F [--layer L ...] [--avg-pool] [--width W --height H] ... --out FILE [--json]
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, COMMON_HELP, int, num, readImage, runCreateCli } from '../../techniques/create-shared/cli';
import { EXIT, UsageError, type CliIO } from '../io';

export const textureHelp = `Usage: vision-studio texture --sample FILE --out FILE.png [--layer NAME ...] [--avg-pool]
                            [--width W --height H] [--sample-size N] [--optimiser lbfgs|adam]
                            [--layer-weights 1,1,1,1,1] [common options]

Texture synthesis (Gatys, Ecker & Bethge 2015): grow a texture from noise matching the sample's Gram
matrices (default layers conv1_1, pool1–pool4). The output size does not depend on the sample's.
  --avg-pool     average instead of max pooling (the paper's choice: smoother, converges further)
${COMMON_HELP}`;

export async function textureCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      sample: { type: 'string' },
      layer: { type: 'string', multiple: true },
      'avg-pool': { type: 'boolean', default: false },
      width: { type: 'string' },
      height: { type: 'string' },
      'sample-size': { type: 'string' },
      optimiser: { type: 'string' },
      'layer-weights': { type: 'string' },
    },
  });
  if (v.help) return (io.out(textureHelp), EXIT.ok);
  if (v.optimiser && v.optimiser !== 'lbfgs' && v.optimiser !== 'adam') throw new UsageError('--optimiser takes lbfgs or adam');
  const params = {
    sample: await readImage(v.sample, '--sample'),
    layers: v.layer,
    layerWeights: v['layer-weights']?.split(',').map((x) => num(x, '--layer-weights')!),
    avgPool: v['avg-pool'],
    width: int(v.width, '--width', 32),
    height: int(v.height, '--height', 32),
    sampleSize: int(v['sample-size'], '--sample-size', 32),
    optimiser: v.optimiser,
  };
  return runCreateCli('texture', v, params, io);
}
