// train.*: datasets the page uploads, the dataset report, augmentation previews, training and evaluation as
// compute jobs (progress with ETA, per-step and per-epoch metrics, cancel within a step), and the images of
// opened datasets for the confusion matrix.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { StudioError, type DatasetReport } from '../contract';
import type { HandlerGroup } from '../handlers';
import type { EngineServices } from '../../engine/services';
import { requestedModel } from '../../engine/services';
import { sniffFormat } from '../../image/decode';
import { trainCacheDir } from '../../paths';
import { chooseProvider } from '../../runtime/ort';
import { loadTensorCache } from '../../train/data/cache';
import { augmentPreview } from '../../train/data/preview';
import { datasetReport } from '../../train/data/report';
import { scanDataset } from '../../train/data/scan';
import { trainValSplit } from '../../train/data/split';
import { addFiles, createDataset, OpenedFiles, resolveDataset } from '../../train/datasets';
import { evaluateModel } from '../../train/evaluate';
import { findLearningRate } from '../../train/lr-find';
import { trainClassifier } from '../../train/train';

type TrainMethod =
  | 'train.datasetCreate'
  | 'train.datasetAdd'
  | 'train.inspect'
  | 'train.augmentPreview'
  | 'train.start'
  | 'train.findLr'
  | 'train.evaluate'
  | 'train.image'
  | 'train.providers';

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};

export function trainHandlers(s: EngineServices): HandlerGroup<TrainMethod> {
  const opened = new OpenedFiles();
  return {
    'train.datasetCreate': async ({ name }) => createDataset(name),
    'train.datasetAdd': async ({ id, files }) => addFiles(id, files),
    'train.inspect': async ({ dataset, val, valSplit, seed }) => {
      const root = resolveDataset(dataset);
      const jobId = s.jobs.start({
        kind: 'train-inspect',
        label: `Dataset report of ${path.basename(root)}`,
        run: async (ctx) => {
          const scan = await scanDataset(root, { val: val ? resolveDataset(val) : undefined, signal: ctx.signal });
          const split = trainValSplit(scan, { valFraction: valSplit, seed });
          const r = await datasetReport(
            { classes: scan.classes, train: split.train, val: split.val, skipped: scan.skipped },
            { signal: ctx.signal, onProgress: (d, n) => ctx.progress(n ? d / n : 1, `checking images ${d} / ${n}`) },
          );
          opened.add([...split.train, ...split.val].map((x) => x.file));
          return toReport(dataset, root, scan.layout === 'class-folders' ? 'folders' : 'train-val', r);
        },
      });
      return { jobId };
    },
    'train.augmentPreview': async ({ dataset, index, augment, size, n, seed }) => {
      const root = resolveDataset(dataset);
      const scan = await scanDataset(root);
      const sample = scan.train[Math.min(index, scan.train.length - 1)];
      if (!sample) throw new StudioError('bad_request', `${root}: no images to preview`);
      const set = await loadTensorCache([sample], { size, channels: 3, resize: 'fill' });
      if (set.n === 0) throw new StudioError('bad_image', `${sample.file}: ${set.skipped[0]?.reason ?? 'cannot be read'}`);
      const images = augmentPreview(set, 0, n, { augment: new Set(augment), seed });
      const pngs = await Promise.all(
        images.map(
          async (im) =>
            new Uint8Array(
              await sharp(im.rgb, { raw: { width: im.width, height: im.height, channels: 3 } })
                .png()
                .toBuffer(),
            ),
        ),
      );
      return { file: sample.file, images: pngs };
    },
    'train.start': async (params) => {
      const base = params.baseModelId ? await requestedModel(s, params.baseModelId) : undefined;
      const what = params.mode === 'scratch' ? params.arch : `${params.head} head on ${base?.name ?? '?'}`;
      const jobId = s.jobs.start({
        kind: 'train',
        label: `Train ${what} on ${path.basename(resolveDataset(params.dataset))}`,
        record: { modelId: base?.id, modelSha256: base?.sha256, params, seed: params.seed },
        run: async (ctx) => {
          const result = await trainClassifier(params, { registry: s.models, cacheDir: trainCacheDir(), opened }, ctx);
          s.emit({ channel: 'models.changed', payload: {} });
          // The exported model is part of the run: History can hand it back even after the registry dropped it.
          try {
            const bytes = new Uint8Array(fs.readFileSync(result.out));
            s.log.runs().addArtifactToRun(ctx.jobId, { role: 'output', name: `${result.name}.onnx`, mime: 'application/onnx', bytes });
          } catch (e) {
            ctx.log(`run log: the exported model was not kept (${e instanceof Error ? e.message : String(e)})`);
          }
          return result;
        },
      });
      return { jobId };
    },
    'train.findLr': async (params) => {
      const jobId = s.jobs.start({
        kind: 'train-lr-find',
        label: `Learning-rate range test on ${path.basename(resolveDataset(params.dataset))}`,
        run: (ctx) => findLearningRate(params, { registry: s.models, cacheDir: trainCacheDir(), opened }, ctx),
      });
      return { jobId };
    },
    'train.evaluate': async ({ modelId, dataset }) => {
      const meta = await requestedModel(s, modelId);
      const root = resolveDataset(dataset);
      const jobId = s.jobs.start({
        kind: 'evaluate',
        label: `Evaluate ${meta.name} on ${path.basename(root)}`,
        record: { modelId: meta.id, modelSha256: meta.sha256, params: { modelId, dataset } },
        run: (ctx) => evaluateModel(meta, root, s.sessions, ctx, opened),
      });
      return { jobId };
    },
    'train.image': async ({ file }) => {
      if (!opened.has(file)) throw new StudioError('not_found', `${file} is not an image of a dataset opened in this session`);
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > 64 * 1024 * 1024) throw new StudioError('bad_image', `${file}: not a readable image file`);
      const bytes = new Uint8Array(fs.readFileSync(file));
      return { name: path.basename(file), mime: MIME[sniffFormat(bytes) ?? ''] ?? 'application/octet-stream', bytes };
    },
    'train.providers': async () => {
      const c = await chooseProvider();
      return { available: c.available, chosen: c.chosen, rejected: c.rejected };
    },
  };
}

function toReport(
  dataset: string,
  root: string,
  layout: DatasetReport['layout'],
  r: Awaited<ReturnType<typeof datasetReport>>,
): DatasetReport {
  const counts = r.classes.map((c) => ({ name: c.name, train: c.train, val: c.val }));
  const totals = counts.map((c) => c.train + c.val);
  const min = Math.min(...totals);
  const warnings: string[] = [];
  if (min === 0) warnings.push(`class "${counts[totals.indexOf(0)].name}" has no usable images`);
  else if (Math.max(...totals) / min >= 3)
    warnings.push(`classes are imbalanced (${(Math.max(...totals) / min).toFixed(1)}×): accuracy will favour the large classes`);
  if (counts.some((c) => c.train + c.val < 10)) warnings.push('some classes have fewer than 10 images: expect a noisy validation score');
  const cross = r.duplicates.filter((d) => d.crossSplit).length;
  if (cross) warnings.push(`${cross} image${cross === 1 ? ' is' : 's are'} in both train and val: the validation score will be too high`);
  const crossClass = r.duplicates.filter((d) => d.crossClass).length;
  if (crossClass)
    warnings.push(`${crossClass} image${crossClass === 1 ? ' is' : 's are'} filed under two classes: at least one label is wrong`);
  return {
    dataset,
    root,
    layout,
    classes: counts,
    total: totals.reduce((a, b) => a + b, 0),
    imbalance: Number.isFinite(r.imbalance.train) ? r.imbalance.train : 0,
    sizes: {
      minWidth: r.width?.min ?? 0,
      minHeight: r.height?.min ?? 0,
      medianWidth: r.width?.median ?? 0,
      medianHeight: r.height?.median ?? 0,
      maxWidth: r.width?.max ?? 0,
      maxHeight: r.height?.max ?? 0,
    },
    duplicates: r.duplicates.map((d) => ({ files: d.files.map((f) => f.file), crossSplit: d.crossSplit, crossClass: d.crossClass })),
    skipped: [...r.skipped, ...r.bad],
    warnings,
  };
}
