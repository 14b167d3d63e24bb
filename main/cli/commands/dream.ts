// vision-studio dream --image F [--layer L ...] [--channel C] [--guide F] ... --out FILE [--json]
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, COMMON_HELP, int, num, readImage, runCreateCli } from '../../techniques/create-shared/cli';
import { EXIT, type CliIO } from '../io';

export const dreamHelp = `Usage: vision-studio dream --image FILE --out FILE.png [--layer NAME ...] [--channel C] [--guide FILE]
                          [--octaves 4] [--octave-scale 1.4] [--step-size 1.5] [--jitter 32] [--tile 512] [common options]

DeepDream (Mordvintsev et al. 2015; defaults from google/deepdream): amplify what a layer sees.
  --layer        readable layer name (vision-studio layers MODEL lists them); repeat for several
  --channel      amplify one channel of the first layer
  --guide        guided dream: push toward the features of this image
${COMMON_HELP}`;

export async function dreamCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      image: { type: 'string' },
      layer: { type: 'string', multiple: true },
      channel: { type: 'string' },
      guide: { type: 'string' },
      octaves: { type: 'string' },
      'octave-scale': { type: 'string' },
      'step-size': { type: 'string' },
      jitter: { type: 'string' },
      tile: { type: 'string' },
    },
  });
  if (v.help) return (io.out(dreamHelp), EXIT.ok);
  const params = {
    image: await readImage(v.image, '--image'),
    guide: v.guide ? await readImage(v.guide, '--guide') : undefined,
    layers: v.layer,
    channel: int(v.channel, '--channel', 0),
    octaves: int(v.octaves, '--octaves'),
    octaveScale: num(v['octave-scale'], '--octave-scale'),
    stepSize: num(v['step-size'], '--step-size'),
    jitter: int(v.jitter, '--jitter', 0),
    tile: int(v.tile, '--tile', 64),
  };
  return runCreateCli('dream', v, params, io);
}
