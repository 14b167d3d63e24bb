// Evaluates any registered classifier on a folder of class folders through the Classify path (the model's own
// preprocessing), matching the folder names to the model's labels: accuracy, top-5, confusion matrix and
// per-class precision/recall. A dataset with train/ and val/ is evaluated on val/.
import fs from 'node:fs';
import { StudioError, type EvaluateResult, type ModelMeta } from '../api/contract';
import { infer, prepareModel, preprocessImage } from '../classify/classify';
import { loadLabels } from '../models/labels';
import type { SessionCache } from '../runtime/sessions';
import { scanDataset } from './data/scan';
import type { OpenedFiles } from './datasets';
import { outcomes } from './outcomes';

export interface EvalReporter {
  progress(fraction: number, message?: string): void;
  throwIfCancelled(): void;
  log(message: string): void;
  signal?: AbortSignal;
}

export async function evaluateModel(
  meta: ModelMeta,
  root: string,
  sessions: SessionCache,
  r: EvalReporter,
  opened?: OpenedFiles,
): Promise<EvaluateResult> {
  const scan = await scanDataset(root, { signal: r.signal });
  const samples = scan.val ?? scan.train;
  const labels = [...loadLabels(meta.labels)];
  // Folder names → the model's output indices (a model trained here has them as its labels).
  const index = scan.classes.map((c) => labels.indexOf(c));
  const missing = scan.classes.filter((_, k) => index[k] < 0);
  if (missing.length)
    throw new StudioError(
      'bad_request',
      `${meta.name} has no class named ${missing.map((m) => `"${m}"`).join(', ')} (its labels: ${labels.slice(0, 10).join(', ')}${labels.length > 10 ? ', …' : ''})`,
    );
  opened?.add(samples.map((x) => x.file));
  const model = await prepareModel(meta, sessions, labels);
  const K = labels.length;
  const logits: number[] = [];
  const kept: { file: string; label: number }[] = [];
  let top5 = 0;
  for (let i = 0; i < samples.length; i++) {
    r.throwIfCancelled();
    const s = samples[i];
    try {
      const img = await preprocessImage(s.file, new Uint8Array(fs.readFileSync(s.file)), meta);
      const [scores] = await infer(model, [img.tensor]);
      const y = index[s.label];
      const above = Array.from(scores).filter((v) => v > scores[y]).length;
      if (above < 5) top5++;
      logits.push(...scores);
      kept.push({ file: s.file, label: y });
    } catch (e) {
      r.log(`skipped ${s.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    r.progress((i + 1) / samples.length, `image ${i + 1} / ${samples.length}`);
  }
  if (kept.length === 0) throw new StudioError('bad_request', `${root}: no readable images to evaluate on`);
  const o = outcomes(
    Float32Array.from(logits),
    K,
    (i) => kept[i].label,
    kept.map((k) => k.file),
  );
  // Report over the dataset's classes (the model may know more).
  const confusion = index.map((yi) => index.map((pj) => o.confusion[yi][pj]));
  const correct = o.predictions.filter((p) => p.predicted === p.label).length;
  return {
    accuracy: correct / kept.length,
    top5: top5 / kept.length,
    confusion,
    classes: scan.classes,
    per_class: index.map((k, c) => ({
      class: scan.classes[c],
      precision: o.perClass[k].precision,
      recall: o.perClass[k].recall,
      n: o.perClass[k].n,
    })),
    predictions: o.predictions,
  };
}
