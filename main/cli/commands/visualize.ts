// vision-studio visualize --model M --class INDEX --out FILE [--steps N] [--lr X] [--l2 X] [--jitter N] [--blur-every K] [--blur-sigma S] [--start grey|noise] [--seed N] [--json]
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Engine } from '../../engine/engine';
import { loadLabels } from '../../models/labels';
import { visualizeClass, VISUALIZE_DEFAULTS } from '../../techniques/classviz/visualize';
import { modelSha256, withProvenance } from '../../techniques/shared/provenance';
import { EXIT, UsageError, type CliIO } from '../io';
import { checkOutPath } from '../../util/out-path';
import { logCliRun } from '../log-run';
import { resolveCliModel } from '../model-input';

const d = VISUALIZE_DEFAULTS;
export const visualizeHelp = `Usage: vision-studio visualize --model ID|PATH --class INDEX --out FILE.png [--steps ${d.steps}] [--lr ${d.learningRate}]
                              [--l2 ${d.l2Decay}] [--jitter ${d.jitter}] [--blur-every ${d.blurEvery}] [--blur-sigma ${d.blurSigma}]
                              [--start grey|noise] [--seed N] [--json]

What the model thinks a class looks like: gradient ascent on the class logit (Simonyan et al. 2014) with
L2 decay, jitter, periodic blur and pixel clamping (Yosinski et al. 2015). --json prints
{"model","class":{"index","label"},"logit","probability","steps","out"}.`;

export async function visualizeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      class: { type: 'string' },
      out: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      l2: { type: 'string' },
      jitter: { type: 'string' },
      'blur-every': { type: 'string' },
      'blur-sigma': { type: 'string' },
      start: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (io.out(visualizeHelp), EXIT.ok);
  if (!values.out) throw new UsageError('--out FILE.png is required');
  checkOutPath(values.out);
  const classIndex = Number(values.class);
  if (values.class === undefined || !Number.isInteger(classIndex) || classIndex < 0) throw new UsageError('--class INDEX is required');
  const num = (v: string | undefined, flag: string, lo: number, hi: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < lo || n > hi) throw new UsageError(`${flag} takes a number from ${lo} to ${hi}`);
    return n;
  };
  if (values.start !== undefined && values.start !== 'grey' && values.start !== 'noise')
    throw new UsageError('--start takes grey or noise');
  const opts = {
    classIndex,
    steps: num(values.steps, '--steps', 1, 10000),
    learningRate: num(values.lr, '--lr', 0, 255),
    l2Decay: num(values.l2, '--l2', 0, 1),
    jitter: num(values.jitter, '--jitter', 0, 64),
    blurEvery: num(values['blur-every'], '--blur-every', 0, 1000),
    blurSigma: num(values['blur-sigma'], '--blur-sigma', 0, 10),
    start: values.start as 'grey' | 'noise' | undefined,
    seed: num(values.seed, '--seed', 0, 2 ** 31),
  };
  const engine = new Engine({ transport: 'cli' });
  try {
    const meta = await resolveCliModel(engine.services.models, values.model);
    let r!: Awaited<ReturnType<typeof visualizeClass>>;
    await logCliRun(
      engine,
      io,
      {
        kind: 'explain-visualize',
        label: `Class ${classIndex} visualisation`,
        modelId: meta.id,
        modelSha256: modelSha256(meta),
        params: opts,
        seed: opts.seed,
      },
      async () => {
        r = await visualizeClass(meta, loadLabels(meta.labels), opts, {
          progress: (f, m) => !values.json && f < 1 && process.stderr.isTTY && process.stderr.write(`\r${m ?? ''}   `),
        });
        const png = await sharp(Buffer.from(r.image.rgb), { raw: { width: r.image.width, height: r.image.height, channels: 3 } })
          .png()
          .toBuffer();
        const { seed, ...parameters } = r.params;
        const out = withProvenance(png, {
          technique: 'classviz',
          method: 'gradient-ascent',
          model: meta.id,
          modelSha256: modelSha256(meta),
          class: { index: classIndex, label: r.label },
          parameters,
          seed,
        });
        await fs.writeFile(values.out!, out);
        return { class: { index: classIndex, label: r.label }, logit: r.logit, probability: r.probability, png: out };
      },
    );
    if (values.json)
      io.out(
        JSON.stringify({
          model: meta.id,
          class: { index: classIndex, label: r.label },
          logit: r.logit,
          probability: r.probability,
          steps: r.params.steps,
          out: values.out,
        }),
      );
    else
      io.out(
        `${r.label}: logit ${r.logit.toFixed(2)}, probability ${(r.probability * 100).toFixed(1)}% after ${r.params.steps} steps; wrote ${values.out}`,
      );
    return EXIT.ok;
  } finally {
    await engine.dispose();
  }
}
