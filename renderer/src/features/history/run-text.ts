// How a logged run reads to a person: a title that tells it apart from its neighbours (method, class, layer,
// photo; optimiser and learning rate for training), its parameters as named rows with readable values, and
// metric names in words. Pure functions of the run, so they are unit-tested.
import type { RunSummary } from '../../../../main/api/contract';

const CAM_NAMES: Record<string, string> = {
  gradcam: 'Grad-CAM',
  'gradcam++': 'Grad-CAM++',
  hirescam: 'HiResCAM',
  cam: 'CAM',
  scorecam: 'Score-CAM',
};
const CREATE_NAMES: Record<string, string> = {
  'create-dream': 'DeepDream',
  'create-invert': 'Inversion',
  'create-inversion': 'Inversion',
  'create-texture': 'Texture',
  'create-style': 'Style transfer',
};
const KIND_NAMES: Record<string, string> = {
  classify: 'Classify',
  'classify-batch': 'Classify batch',
  'explain-cam': 'Heat map',
  'explain-visualize': 'Class visualisation',
  'explain-adversarial': 'Adversarial',
  train: 'Training',
  'train-lr-find': 'Learning-rate finder',
  'train-inspect': 'Training inspection',
  evaluate: 'Evaluation',
  activations: 'Activations',
  'projector-embed': 'Projector embeddings',
  'projector-project': 'Projection',
  ...CREATE_NAMES,
};

/** The kind in words ("explain-cam" → "Heat map"). */
export const kindName = (kind: string): string => KIND_NAMES[kind] ?? sentence(kind.replace(/-/g, ' '));

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
/** The first label of an ImageNet synonym list ("tabby, tabby cat" → "tabby"). */
const short = (label: string): string => label.split(',')[0].trim();
const base = (p: string): string =>
  p
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop() ?? p;

/** The photo(s) a run worked on, from its parameters (or its result when the parameters lack them). */
function filesOf(p: Obj, r: Obj): string[] {
  const named = (v: unknown): string | undefined => str(v) ?? str(obj(v).name);
  if (Array.isArray(p.files)) return p.files.map(named).filter((x): x is string => !!x);
  const one = named(p.file) ?? named(p.image) ?? named(p.content) ?? named(p.sample) ?? str(r.file);
  return one ? [one] : [];
}

const join = (parts: (string | undefined | false)[]): string => parts.filter(Boolean).join(' · ');

/**
 * A title that tells runs apart: "Grad-CAM · Egyptian cat · layer4 on cat.png", "DeepDream · inception_4c on
 * cat.png", "Train LeNet-5 · Adam lr 0.01 · 4 epochs on data". `run.result` (when loaded) fills in what the
 * engine chose itself (the top class, the suggested layer); `modelName` maps a model id to its display name.
 */
export function runTitle(run: RunSummary & { result?: unknown }, modelName: (id: string) => string = (id) => id): string {
  const p = obj(run.params);
  const r = obj(run.result);
  const files = filesOf(p, r);
  const on = files.length === 1 ? ` on ${files[0]}` : files.length > 1 ? ` on ${files.length} photos` : '';
  const model = run.modelId ? modelName(run.modelId) : undefined;
  const cls = str(obj(r.class).label);
  switch (run.kind) {
    case 'classify':
    case 'classify-batch': {
      const top = Array.isArray(r.top) ? str(obj(r.top[0]).label) : undefined;
      return `${join(['Classify', top && short(top), !top && model])}${on}`;
    }
    case 'explain-cam': {
      const method = CAM_NAMES[str(p.method) ?? ''] ?? str(p.method) ?? 'Heat map';
      const klass = cls ? short(cls) : typeof p.classIndex === 'number' ? `class ${p.classIndex}` : 'top class';
      const layer = str(r.layer) ?? str(p.layer);
      return `${join([method, klass, layer])}${on}`;
    }
    case 'explain-visualize':
      return join([
        'Class visualisation',
        cls ? short(cls) : typeof p.classIndex === 'number' ? `class ${p.classIndex}` : undefined,
        model,
      ]);
    case 'explain-adversarial': {
      const method = (str(p.method) ?? 'attack').toUpperCase();
      const eps = typeof p.epsilon === 'number' ? `ε ${Math.round(p.epsilon * 255)}/255` : undefined;
      const target = typeof p.target === 'number' ? `target ${p.target}` : undefined;
      return `${join([method, eps, target])}${on}`;
    }
    case 'train':
    case 'train-lr-find': {
      const what = str(p.name) ?? (str(p.base) ? `on ${modelName(str(p.base)!)}` : str(p.arch)) ?? 'classifier';
      const opt = str(p.optimizer);
      const lr = typeof p.lr === 'number' ? `lr ${p.lr}` : undefined;
      const epochs = typeof p.epochs === 'number' ? `${p.epochs} epoch${p.epochs === 1 ? '' : 's'}` : undefined;
      const data = str(p.dataset) ? ` on ${base(str(p.dataset)!)}` : '';
      return `${join([run.kind === 'train' ? `Train ${what}` : `Find lr for ${what}`, opt && lr ? `${opt} ${lr}` : (opt ?? lr), epochs])}${data}`;
    }
  }
  if (CREATE_NAMES[run.kind]) {
    const layers = Array.isArray(r.layers)
      ? (r.layers as unknown[]).map(String)
      : Array.isArray(p.layers)
        ? (p.layers as unknown[]).map(String)
        : [];
    const uniq = [...new Set(layers)];
    const layerText = uniq.length > 3 ? `${uniq[0]} … ${uniq.at(-1)}` : uniq.join(', ');
    return `${join([CREATE_NAMES[run.kind], layerText])}${on}`;
  }
  return run.label || kindName(run.kind);
}

const LABELS: Record<string, string> = {
  modelId: 'Model',
  topK: 'Top-K',
  files: 'Files',
  file: 'File',
  image: 'Photo',
  classIndex: 'Class',
  augSmooth: 'Augmentation smoothing',
  eigenSmooth: 'Eigen smoothing',
  lr: 'Learning rate',
  epsilon: 'ε',
  valSplit: 'Validation split',
  l1: 'L1',
  l2Decay: 'L2 decay',
  lambdaTV: 'λ TV',
  lambdaAlpha: 'λ α-norm',
  tvWeight: 'TV weight',
  exportSize: 'Export size',
  previewEvery: 'Preview every',
  fineTuneBlocks: 'Fine-tuned blocks',
  backboneLrScale: 'Backbone lr scale',
};

/** A parameter's key in words: "octaveScale" → "Octave scale". */
export function paramLabel(key: string): string {
  return LABELS[key] ?? sentence(key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' '));
}

function sentence(s: string): string {
  const t = s.trim().toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** A value as a person reads it: files by name, lists joined, objects as "key value" pairs, no JSON braces. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(formatValue).join(', ');
  const o = v as Obj;
  if (typeof o.name === 'string' && ('bytes' in o || 'artifact' in o || 'sha256' in o)) return o.name;
  return Object.entries(o)
    .map(([k, x]) => `${paramLabel(k).toLowerCase()} ${formatValue(x)}`)
    .join(', ');
}

export interface ParamRow {
  key: string;
  label: string;
  value: string;
}

/**
 * The rows of a run's parameter table: File(s), Model, Seed first, then every parameter by name. The model id
 * and seed are shown once (the parameters repeat them), under the model's display name.
 */
export function paramRows(run: RunSummary & { result?: unknown }, modelName: (id: string) => string = (id) => id): ParamRow[] {
  const p = obj(run.params);
  const r = obj(run.result);
  const rows: ParamRow[] = [];
  const files = filesOf(p, r);
  if (files.length) rows.push({ key: 'files', label: files.length === 1 ? 'File' : 'Files', value: files.join(', ') });
  const modelId = run.modelId ?? str(p.modelId) ?? str(r.model) ?? str(r.modelId);
  if (modelId) rows.push({ key: 'modelId', label: 'Model', value: modelName(modelId) });
  const layers = Array.isArray(r.layers) ? r.layers : str(r.layer) ? [r.layer] : null;
  if (layers && !('layers' in p) && !('layer' in p))
    rows.push({ key: 'layers', label: 'Layers', value: formatValue([...new Set(layers)]) });
  const seed = run.seed ?? (typeof p.seed === 'number' ? p.seed : null);
  if (seed !== null) rows.push({ key: 'seed', label: 'Seed', value: String(seed) });
  const skip = new Set(['modelId', 'model', 'seed', 'files', 'file', 'image', 'content', 'sample']);
  for (const [k, v] of Object.entries(p)) {
    if (skip.has(k)) continue;
    let value = formatValue(v);
    if ((k === 'layers' || k === 'layer') && (v === '' || v === undefined || (Array.isArray(v) && v.length === 0)) && layers)
      value = `${formatValue([...new Set(layers)])} (chosen automatically)`;
    else if (k === 'layers' && Array.isArray(v)) value = formatValue([...new Set(v)]);
    if (k === 'method' && run.kind === 'explain-cam') value = CAM_NAMES[String(v)] ?? value;
    if (k === 'classIndex' && str(obj(r.class).label)) value = `${short(str(obj(r.class).label)!)} (#${String(v)})`;
    rows.push({ key: k, label: paramLabel(k), value });
  }
  if (!('classIndex' in p) && str(obj(r.class).label) && run.kind.startsWith('explain'))
    rows.push({ key: 'class', label: 'Class', value: `${short(str(obj(r.class).label)!)} (top class)` });
  return rows;
}

const METRIC_NAMES: Record<string, string> = {
  loss: 'Loss',
  lr: 'Learning rate',
  epoch_train_loss: 'Training loss (per epoch)',
  epoch_train_acc: 'Training accuracy (per epoch)',
  epoch_val_loss: 'Validation loss (per epoch)',
  epoch_val_acc: 'Validation accuracy (per epoch)',
  objective: 'Objective',
};

/** A metric's name in words. */
export const metricName = (name: string): string => METRIC_NAMES[name] ?? paramLabel(name);
