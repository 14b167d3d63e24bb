// vision-studio adversarial --image FILE --model M [--method fgsm|pgd] [--epsilon E] [--steps N] [--step-size S] [--target INDEX] --out FILE [--model-out FILE] [--panel FILE] [--json]
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../engine/engine';
import { loadLabels } from '../../models/labels';
import { attack, type AttackMethod } from '../../techniques/adversarial/attack';
import { adversarialPanel, adversarialPng } from '../../techniques/adversarial/panel';
import { EXIT, UsageError, type CliIO } from '../io';
import { checkOutPath } from '../../util/out-path';
import { logCliRun } from '../log-run';
import { readInputFile, resolveCliModel } from '../model-input';
import { modelSha256 } from '../../techniques/shared/provenance';

export const adversarialHelp = `Usage: vision-studio adversarial --image FILE --model ID|PATH [--method fgsm|pgd] [--epsilon 8/255]
                                [--steps 10] [--step-size S] [--target INDEX] [--seed N] --out FILE.png [--model-out FILE.png]
                                [--panel FILE.png] [--json]

Adversarial example (FGSM, Goodfellow et al. 2015; PGD, Madry et al. 2018), found at the model's input size.
  --epsilon    L∞ budget in pixel units, as a fraction (0.031) or n/255 (default 8/255 for FGSM, 4/255 for PGD)
  --steps      PGD iterations (default 10); --step-size defaults to 2.5·ε/steps
  --target     class index to aim for (targeted); default: move away from the top-1
  --out        the adversarial image at the photo's resolution (the perturbation stretched over what the model sees,
               |δ| ≤ ε kept; PNG with provenance); --model-out: at the model's input size, as optimised;
               --panel: original | adversarial | perturbation ×10 | CAMs
  --json       print {"file","method","epsilon","original":{"index","label","probability"},"adversarial":{...},
               "success","smallestFlipEpsilon","out","photo":{"width","height","adversarial":{...},"success"}}
               (adversarial/success: at the model's input size; photo: the --out image classified again)`;

export async function adversarialCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      image: { type: 'string' },
      model: { type: 'string' },
      method: { type: 'string', default: 'fgsm' },
      epsilon: { type: 'string' },
      steps: { type: 'string', default: '10' },
      'step-size': { type: 'string' },
      target: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      panel: { type: 'string' },
      'model-out': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (io.out(adversarialHelp), EXIT.ok);
  if (!values.image) throw new UsageError('--image FILE is required');
  if (!values.out) throw new UsageError('--out FILE.png is required');
  checkOutPath(values.out);
  const method = values.method as AttackMethod;
  if (method !== 'fgsm' && method !== 'pgd') throw new UsageError('--method takes fgsm or pgd');
  const epsilon = parseFraction(values.epsilon ?? (method === 'fgsm' ? '8/255' : '4/255'), '--epsilon');
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000) throw new UsageError('--steps takes a whole number from 1 to 1000');
  const stepSize = values['step-size'] === undefined ? undefined : parseFraction(values['step-size'], '--step-size');
  const target = values.target === undefined ? undefined : Number(values.target);
  if (target !== undefined && (!Number.isInteger(target) || target < 0)) throw new UsageError('--target takes a class index');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const bytes = await readInputFile(values.image);
  const engine = new Engine({ transport: 'cli' });
  try {
    const meta = await resolveCliModel(engine.services.models, values.model);
    const labels = loadLabels(meta.labels);
    const source = path.basename(values.image);
    let r!: Awaited<ReturnType<typeof attack>>;
    await logCliRun(
      engine,
      io,
      {
        kind: 'explain-adversarial',
        label: `${method.toUpperCase()} on ${source}`,
        modelId: meta.id,
        modelSha256: modelSha256(meta),
        params: { file: source, method, epsilon, steps, stepSize, target },
        seed,
        inputs: [{ name: source, bytes }],
      },
      async () => {
        r = await attack(meta, labels, values.image!, bytes, {
          method,
          epsilon,
          steps,
          stepSize,
          target,
          seed,
          randomStart: seed !== undefined,
        });
        const png = await adversarialPng(r, meta, source);
        await fs.writeFile(values.out!, png);
        if (values['model-out']) await fs.writeFile(values['model-out'], await adversarialPng(r, meta, source, 'model'));
        if (values.panel) await fs.writeFile(values.panel, await adversarialPanel(r, meta, labels, source));
        const { original, adversarial, success, smallestFlipEpsilon } = r;
        return { original: original[0], adversarial: adversarial[0], success, smallestFlipEpsilon, png };
      },
    );
    const pick = ({ index, label, probability }: { index: number; label: string; probability: number }) => ({ index, label, probability });
    if (values.json) {
      io.out(
        JSON.stringify({
          file: values.image,
          method,
          epsilon,
          original: pick(r.original[0]),
          adversarial: pick(r.adversarial[0]),
          success: r.success,
          smallestFlipEpsilon: r.smallestFlipEpsilon,
          out: values.out,
          photo: {
            width: r.photo.image.width,
            height: r.photo.image.height,
            adversarial: pick(r.photo.adversarial[0]),
            success: r.photo.success,
          },
        }),
      );
    } else {
      io.out(
        `${values.image}: ${r.original[0].label} (${pct(r.original[0].probability)}) -> ${r.adversarial[0].label} (${pct(r.adversarial[0].probability)}) with ${method.toUpperCase()} ε=${(epsilon * 255).toFixed(2)}/255`,
      );
      io.out(
        r.smallestFlipEpsilon === null
          ? 'no ε in the FGSM sweep flips the top-1'
          : `smallest FGSM ε that flips the top-1: ${(r.smallestFlipEpsilon * 255).toFixed(2)}/255`,
      );
      const ph = r.photo;
      io.out(
        `at the photo's resolution (${ph.image.width}×${ph.image.height}): ${ph.adversarial[0].label} (${pct(ph.adversarial[0].probability)}), ${ph.success ? 'still fooled' : 'not fooled'}`,
      );
      io.out(`wrote ${values.out}${values['model-out'] ? `, ${values['model-out']}` : ''}${values.panel ? ` and ${values.panel}` : ''}`);
    }
    return r.success ? EXIT.ok : EXIT.partial;
  } finally {
    await engine.dispose();
  }
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

export function parseFraction(s: string, flag: string): number {
  const m = /^\s*([0-9.]+)\s*\/\s*([0-9.]+)\s*$/.exec(s);
  const v = m ? Number(m[1]) / Number(m[2]) : Number(s);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`${flag} takes a number in [0, 1] or n/255`);
  return v;
}
