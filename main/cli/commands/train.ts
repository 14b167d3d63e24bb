// vision-studio train / evaluate: train a classifier on folders of images and export it as a studio model,
// or measure any model on a labelled folder. Runs through the engine's job (the same code and run log as the UI).
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ArchId,
  AugmentId,
  OptimizerId,
  TrainParams,
  type EvaluateResult,
  type JobEvent,
  type LrFindResult,
  type TrainResult,
} from '../../api/contract';
import { Engine } from '../../engine/engine';
import { loadLabels } from '../../models/labels';
import { copyWithSidecar } from '../../train/publish';
import { checkOutPath } from '../../util/out-path';
import { list, num } from '../args';
import { runEngineJob } from '../engine-job';
import { EXIT, stdio, UsageError, type CliIO } from '../io';

/** Training's own stderr lines beside the progress: each epoch's validation accuracy and the job's log messages. */
const trainLines = (e: JobEvent): string | null =>
  e.type === 'metric' && e.name === 'epoch_val_acc'
    ? `epoch ${e.step}: validation accuracy ${(100 * e.value).toFixed(2)}%`
    : e.type === 'log'
      ? e.message
      : null;

/** A job of the in-process engine with training's lines on stderr (see runEngineJob). */
const runJob = <T>(engine: Engine, start: () => Promise<{ jobId: string }>, io: CliIO, quiet: boolean) =>
  runEngineJob<T>(engine, start, io, quiet, trainLines);

export const trainHelp = `Usage: vision-studio train --data DIR [--val DIR] (--arch lenet5|vgg-small|resnet20 | --base MODEL [--fine-tune N])
         [--epochs N] [--batch B] [--optimizer sgd|momentum|nesterov|adagrad|adadelta|rmsprop|adam|adamw]
         [--lr X] [--momentum M] [--weight-decay W] [--l1 X] [--dropout P] [--label-smoothing E]
         [--schedule constant|step|cosine|onecycle] [--clip-norm X] [--augment flip,crop,rotate,color]
         [--early-stop PATIENCE] [--size N] [--init he|xavier|torch-default] [--head linear|mlp] [--hidden H]
         [--val-split F] [--seed S] [--name NAME] --out MODEL.onnx [--json]
       vision-studio train --data DIR ... --find-lr [--json]   (learning-rate range test; nothing is exported)

  DIR holds a folder per class (or train/ and val/ folders of class folders). From scratch with --arch, or
  transfer learning with --base (a new head on the base model's embeddings, cached), or fine-tuning with
  --fine-tune N (the head and the base's last N layers, those at a tenth of the learning rate). The exported model is
  registered in the studio and written to --out with a sidecar (preprocessing, labels = the class folders),
  so \`vision-studio classify --model MODEL.onnx\` uses it.
  --json prints {"out","arch","base","epochs","best_epoch","classes","train":{"loss","accuracy"},
  "val":{"loss","accuracy"},"confusion","ms","images_per_s"}.`;

export const evaluateHelp = `Usage: vision-studio evaluate --model M --data DIR [--json]

  Accuracy of model M on DIR (a folder per class, named as the model's labels; val/ when DIR has train/ and val/).
  --json prints {"accuracy","top5","confusion","per_class":[{"class","precision","recall","n"}]}.`;

export async function trainCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' },
      val: { type: 'string' },
      arch: { type: 'string' },
      base: { type: 'string' },
      'fine-tune': { type: 'string' },
      head: { type: 'string' },
      hidden: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      momentum: { type: 'string' },
      'weight-decay': { type: 'string' },
      l1: { type: 'string' },
      dropout: { type: 'string' },
      'label-smoothing': { type: 'string' },
      schedule: { type: 'string' },
      'clip-norm': { type: 'string' },
      augment: { type: 'string' },
      'early-stop': { type: 'string' },
      size: { type: 'string' },
      init: { type: 'string' },
      'val-split': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      'find-lr': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return (io.out(trainHelp), EXIT.ok);
  if (!v.data) throw new UsageError('--data DIR is required');
  if (!v.out && !v['find-lr']) throw new UsageError('--out MODEL.onnx is required');
  if (!v.arch === !v.base) throw new UsageError('give either --arch (from scratch) or --base MODEL (transfer learning)');
  if (v['fine-tune'] && !v.base) throw new UsageError('--fine-tune N needs --base MODEL');
  if (v.arch && !ArchId.safeParse(v.arch).success) throw new UsageError(`--arch must be one of ${ArchId.options.join(', ')}`);
  if (v.optimizer && !OptimizerId.safeParse(v.optimizer).success)
    throw new UsageError(`--optimizer must be one of ${OptimizerId.options.join(', ')}`);
  const augment = list(v.augment);
  const badAug = augment.find((a) => !AugmentId.safeParse(a).success);
  if (badAug) throw new UsageError(`--augment: "${badAug}" is not one of ${AugmentId.options.join(', ')}`);
  const raw = {
    dataset: path.resolve(v.data),
    val: v.val ? path.resolve(v.val) : undefined,
    mode: v.arch ? 'scratch' : v['fine-tune'] ? 'finetune' : 'transfer',
    fineTuneBlocks: num(v['fine-tune'], '--fine-tune'),
    arch: v.arch,
    baseModelId: v.base,
    head: v.head,
    hidden: num(v.hidden, '--hidden'),
    epochs: num(v.epochs, '--epochs'),
    batch: num(v.batch, '--batch'),
    optimizer: v.optimizer,
    lr: num(v.lr, '--lr'),
    momentum: num(v.momentum, '--momentum'),
    weightDecay: num(v['weight-decay'], '--weight-decay'),
    l1: num(v.l1, '--l1'),
    dropout: num(v.dropout, '--dropout'),
    labelSmoothing: num(v['label-smoothing'], '--label-smoothing'),
    schedule: v.schedule,
    clipNorm: num(v['clip-norm'], '--clip-norm'),
    augment,
    earlyStop: num(v['early-stop'], '--early-stop'),
    size: num(v.size, '--size'),
    init: v.init,
    valSplit: num(v['val-split'], '--val-split'),
    seed: num(v.seed, '--seed'),
    name: v.name ?? (v.out ? path.basename(v.out).replace(/\.onnx$/i, '') : undefined),
  };
  const parsed = TrainParams.safeParse(Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)));
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  // Before any training: an --out that cannot be written would otherwise fail after the whole run.
  if (v.out && !v['find-lr']) checkOutPath(v.out, 'model.onnx');
  const engine = new Engine({ transport: 'cli' });
  if (v['find-lr']) {
    try {
      const f = await runJob<LrFindResult>(engine, () => engine.call('train.findLr', parsed.data), io, v.json);
      if (v.json) io.out(JSON.stringify(f));
      else {
        const fmt = (x: number | null) => (x === null ? 'none' : x.toExponential(1));
        io.out(
          `learning-rate range test (${f.stop} after ${f.lrs.length} steps): steepest descent at ${fmt(f.suggestion.steepest)}, minimum/10 ${fmt(f.suggestion.minimumOver10)}`,
        );
      }
      return EXIT.ok;
    } finally {
      await engine.dispose();
    }
  }
  try {
    const r = await runJob<TrainResult>(engine, () => engine.call('train.start', parsed.data), io, false);
    const meta = engine.services.models.get(r.modelId);
    copyWithSidecar(meta, [...loadLabels(meta.labels)], v.out!);
    if (v.json) {
      io.out(
        JSON.stringify({
          out: path.resolve(v.out!),
          arch: r.arch,
          base: r.base,
          epochs: r.epochs,
          best_epoch: r.bestEpoch,
          classes: r.classes,
          train: r.train,
          val: r.val,
          confusion: r.confusion,
          ms: Math.round(r.ms),
          images_per_s: Math.round(r.imagesPerS),
        }),
      );
    } else {
      io.out(
        `${v.out}: ${r.classes.length} classes, validation accuracy ${(100 * r.val.accuracy).toFixed(2)}% (epoch ${r.bestEpoch} of ${r.epochs}), ${(r.ms / 1000).toFixed(1)} s, ${Math.round(r.imagesPerS)} images/s on ${r.provider}`,
      );
      io.out(`registered as "${r.name}" (${r.modelId}): vision-studio classify --model ${v.out} PHOTO`);
    }
    return EXIT.ok;
  } finally {
    await engine.dispose();
  }
}

export async function evaluateCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return (io.out(evaluateHelp), EXIT.ok);
  if (!v.model || !v.data) throw new UsageError('--model M and --data DIR are required');
  const engine = new Engine({ transport: 'cli' });
  try {
    const meta = await engine.services.models.resolveAsync(v.model);
    const r = await runJob<EvaluateResult>(
      engine,
      () => engine.call('train.evaluate', { modelId: meta.id, dataset: path.resolve(v.data!) }),
      io,
      v.json,
    );
    if (v.json) io.out(JSON.stringify({ accuracy: r.accuracy, top5: r.top5, confusion: r.confusion, per_class: r.per_class }));
    else {
      io.out(`${meta.name} on ${v.data}: accuracy ${(100 * r.accuracy).toFixed(2)}%, top-5 ${(100 * r.top5).toFixed(2)}%`);
      for (const c of r.per_class)
        io.out(
          `  ${c.class.padEnd(24)} precision ${(100 * c.precision).toFixed(1).padStart(5)}%  recall ${(100 * c.recall).toFixed(1).padStart(5)}%  n ${c.n}`,
        );
    }
    return EXIT.ok;
  } finally {
    await engine.dispose();
  }
}
