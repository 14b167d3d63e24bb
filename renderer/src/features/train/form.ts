// The Train view's form: the contract's TrainParams with every default applied is its starting point, a blank
// number is null (the engine's default applies), and a filled form becomes a train.start request or a sentence
// naming the field that is wrong.
import { TrainParams, type AugmentId } from '../../../../main/api/contract';
import { usesMomentum } from './options';

/** The contract's defaults (TrainParams with every default applied), the form's starting point. */
export const DEFAULTS = TrainParams.parse({ dataset: 'unset' });

const num = (x: number): number | null => x;

/** The form: the contract's fields; optional numbers are null when blank (the engine's default applies). */
export function initialParams() {
  return {
    mode: DEFAULTS.mode,
    /** '' = the model selected in the studio. */
    baseModelId: '',
    arch: DEFAULTS.arch,
    size: null as number | null,
    channels: null as 1 | 3 | null,
    init: DEFAULTS.init,
    head: DEFAULTS.head,
    hidden: num(DEFAULTS.hidden),
    fineTuneBlocks: num(DEFAULTS.fineTuneBlocks),
    backboneLrScale: num(DEFAULTS.backboneLrScale),
    epochs: num(DEFAULTS.epochs),
    batch: num(DEFAULTS.batch),
    optimizer: DEFAULTS.optimizer,
    lr: null as number | null,
    momentum: null as number | null,
    weightDecay: num(DEFAULTS.weightDecay),
    l1: num(DEFAULTS.l1),
    dropout: num(DEFAULTS.dropout),
    labelSmoothing: num(DEFAULTS.labelSmoothing),
    schedule: DEFAULTS.schedule,
    clipNorm: null as number | null,
    augment: [...DEFAULTS.augment] as AugmentId[],
    earlyStop: num(DEFAULTS.earlyStop),
    seed: num(DEFAULTS.seed),
    valSplit: num(DEFAULTS.valSplit),
    name: '',
  };
}
export type TrainForm = ReturnType<typeof initialParams>;

const FIELD_NAMES: Record<string, string> = {
  lr: 'Learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  l1: 'L1',
  dropout: 'Dropout',
  labelSmoothing: 'Label smoothing',
  clipNorm: 'Clip norm',
  epochs: 'Epochs',
  batch: 'Batch size',
  valSplit: 'Validation split',
  earlyStop: 'Early-stopping patience',
  seed: 'Seed',
  size: 'Input size',
  hidden: 'Hidden units',
  fineTuneBlocks: 'Blocks to fine-tune',
  backboneLrScale: 'Backbone learning-rate scale',
  name: 'Model name',
};

/** The request for train.start from a snapshot of the form, or a sentence saying which field is wrong. */
export function trainRequest(
  form: TrainForm,
  data: { dataset: string; val?: string },
  baseModelId: string | undefined,
): { params: TrainParams } | { problem: string } {
  const raw: Record<string, unknown> = { ...form, dataset: data.dataset };
  if (data.val) raw.val = data.val;
  if (form.mode === 'scratch') delete raw.baseModelId;
  else {
    raw.baseModelId = baseModelId;
    for (const k of ['arch', 'size', 'channels', 'init']) delete raw[k];
  }
  if (!usesMomentum(form.optimizer)) delete raw.momentum;
  for (const [k, v] of Object.entries(raw)) if (v === null || v === '' || v === undefined || Number.isNaN(v)) delete raw[k];
  const parsed = TrainParams.safeParse(raw);
  if (parsed.success) return { params: parsed.data };
  const issue = parsed.error.issues[0];
  const key = String(issue.path[0] ?? '');
  return { problem: `${FIELD_NAMES[key] ?? key}: ${issue.message.replace(/^Too (big|small): expected number to be /i, 'must be ')}` };
}

/** The settings a learning-rate range test depends on: the run's request without what only a whole run uses. */
export function lrFindKey(params: TrainParams): string {
  const rest: Partial<TrainParams> = { ...params };
  for (const k of ['lr', 'epochs', 'schedule', 'clipNorm', 'earlyStop', 'name'] as const) delete rest[k];
  return JSON.stringify(rest);
}
