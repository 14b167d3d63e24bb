// How History reads a run: titles that tell runs apart, parameters as named rows without JSON or duplicates,
// metric names in words. The runs are shaped as the experiment log stores them (copied from a real log).
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../main/api/contract';
import { formatValue, metricName, paramRows, runTitle } from '../../../renderer/src/features/history/run-text';

const summary = (kind: string, params: unknown, extra: Partial<RunSummary> = {}): RunSummary & { result?: unknown } => ({
  id: 'r',
  kind,
  label: 'label from the engine',
  status: 'done',
  created: 0,
  started: 0,
  ended: 0,
  durationMs: 1,
  modelId: 'mobilenet_v2_1.0_224',
  modelSha256: null,
  params,
  seed: null,
  appVersion: '0.1.0',
  error: null,
  tags: [],
  note: null,
  thumbnail: null,
  deleted: false,
  ...extra,
});
const names = (id: string) => (id === 'mobilenet_v2_1.0_224' ? 'MobileNetV2' : id);
const camParams = {
  file: 'cat.png',
  method: 'gradcam',
  topK: 5,
  augSmooth: false,
  eigenSmooth: false,
  overlay: { colormap: 'jet', opacity: 0.5 },
};

describe('run titles', () => {
  it('a heat map names method, class, layer and photo, so two classes on one photo differ', () => {
    const cat = runTitle({
      ...summary('explain-cam', camParams),
      result: { layer: 'out_relu', class: { index: 286, label: 'Egyptian cat' } },
    });
    expect(cat).toBe('Grad-CAM · Egyptian cat · out_relu on cat.png');
    const tabby = runTitle({
      ...summary('explain-cam', { ...camParams, method: 'scorecam', classIndex: 282, layer: 'block_16_project' }),
      result: { layer: 'block_16_project', class: { index: 282, label: 'tabby, tabby cat' } },
    });
    expect(tabby).toBe('Score-CAM · tabby · block_16_project on cat.png');
    // Before the result is loaded the title still says what it can.
    expect(runTitle(summary('explain-cam', { ...camParams, classIndex: 282 }))).toBe('Grad-CAM · class 282 on cat.png');
  });

  it('training runs differ by name, optimiser, learning rate and epochs', () => {
    const p = { dataset: '/tmp/data', arch: 'lenet5', epochs: 4, optimizer: 'adam', lr: 0.05, name: 'tiny 0.05' };
    expect(runTitle(summary('train', p, { modelId: null }))).toBe('Train tiny 0.05 · adam lr 0.05 · 4 epochs on data');
    expect(runTitle(summary('train', { ...p, name: undefined, lr: 0.01 }, { modelId: null }))).toBe(
      'Train lenet5 · adam lr 0.01 · 4 epochs on data',
    );
  });

  it('create runs name their layers once, classify runs their top class and model', () => {
    const dream = {
      ...summary('create-invert', { image: { name: 'cat.png', bytes: 10 }, layers: [] }),
      result: { layers: ['relu1_1', 'relu2_1', 'relu2_1', 'relu3_1'] },
    };
    expect(runTitle(dream)).toBe('Inversion · relu1_1, relu2_1, relu3_1 on cat.png');
    const c = {
      ...summary('classify', { modelId: 'mobilenet_v2_1.0_224', topK: 5, files: ['cat.png'] }),
      result: { top: [{ label: 'Egyptian cat' }] },
    };
    expect(runTitle(c, names)).toBe('Classify · Egyptian cat on cat.png');
    expect(runTitle(summary('classify', { files: ['cat.png'] }), names)).toBe('Classify · MobileNetV2 on cat.png');
  });
});

describe('parameter rows', () => {
  it('file, model by display name, layer and class first; seed and model once; values without JSON', () => {
    const run = {
      ...summary('explain-cam', { ...camParams, seed: 3 }, { seed: 3 }),
      result: { layer: 'out_relu', class: { label: 'Egyptian cat' } },
    };
    const rows = paramRows(run, names);
    const labels = rows.map((r) => r.label);
    expect(labels.slice(0, 4)).toEqual(['File', 'Model', 'Layers', 'Seed']);
    expect(labels.filter((l) => /seed/i.test(l))).toHaveLength(1);
    expect(labels.filter((l) => /model/i.test(l))).toHaveLength(1);
    expect(rows.find((r) => r.label === 'Model')!.value).toBe('MobileNetV2');
    expect(rows.find((r) => r.label === 'Class')!.value).toBe('Egyptian cat (top class)');
    for (const r of rows) expect(r.value).not.toMatch(/[{}"]/);
    expect(rows.find((r) => r.key === 'overlay')!.value).toBe('colormap jet, opacity 0.5');
    expect(rows.find((r) => r.key === 'augSmooth')).toEqual({ key: 'augSmooth', label: 'Augmentation smoothing', value: 'no' });
  });

  it('formats files, lists and numbers as read', () => {
    expect(formatValue({ name: 'chelsea.png', bytes: 123 })).toBe('chelsea.png');
    expect(formatValue([1, 2, 3])).toBe('1, 2, 3');
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(undefined)).toBe('—');
    expect(metricName('epoch_val_acc')).toBe('Validation accuracy (per epoch)');
    expect(metricName('stepTime')).toBe('Step time');
  });
});

import { estimateBasis, estimateVsActual } from '../../../renderer/src/features/create/calibration';

// The calibration itself is the engine's (tests/integration/techniques/create/estimates.alone.test.ts).
describe('create estimate wording', () => {
  it('says what the estimate was against what the run took, and where the estimate comes from', () => {
    expect(estimateVsActual(12.2, 14.4)).toBe('estimated 12 s, took 14 s');
    expect(estimateVsActual(12.2, 40.1, 3.26)).toBe('estimated 12 s, took 40 s (other programs slowed it 3.3×)');
    expect(estimateBasis(0, 1)).toMatch(/graph alone/);
    expect(estimateBasis(3, 1)).toBe('Learned from 3 runs of this model and tool here.');
    expect(estimateBasis(1, 2.5)).toMatch(/^Learned from 1 run of .*other programs.*2\.5×/i);
  });
});
