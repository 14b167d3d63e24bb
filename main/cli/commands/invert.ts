// vision-studio invert --image F --layer L [--layer L2 ...] ... --out FILE [--json]
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, COMMON_HELP, num, readImage, runCreateCli } from '../../techniques/create-shared/cli';
import { EXIT, UsageError, type CliIO } from '../io';

export const invertHelp = `Usage: vision-studio invert --image FILE --layer NAME [--layer NAME ...] --out FILE.png
                           [--optimiser lbfgs|adam] [--lambda-tv X] [--lambda-alpha X] [common options]

Feature inversion (Mahendran & Vedaldi 2015): rebuild the photo from one layer's features, from noise.
Several --layer give a strip, shallow → deep, side by side.
${COMMON_HELP}`;

export async function invertCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      image: { type: 'string' },
      layer: { type: 'string', multiple: true },
      optimiser: { type: 'string' },
      'lambda-tv': { type: 'string' },
      'lambda-alpha': { type: 'string' },
    },
  });
  if (v.help) return (io.out(invertHelp), EXIT.ok);
  if (!v.layer?.length) throw new UsageError('--layer NAME is required (vision-studio layers MODEL lists them)');
  if (v.optimiser && v.optimiser !== 'lbfgs' && v.optimiser !== 'adam') throw new UsageError('--optimiser takes lbfgs or adam');
  const params = {
    image: await readImage(v.image, '--image'),
    layers: v.layer,
    optimiser: v.optimiser,
    lambdaTV: num(v['lambda-tv'], '--lambda-tv'),
    lambdaAlpha: num(v['lambda-alpha'], '--lambda-alpha'),
  };
  return runCreateCli('invert', v, params, io);
}
