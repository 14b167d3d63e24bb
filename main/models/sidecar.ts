// Sidecar metadata: `X.json` next to `X.onnx`, in the format of ../shared/models/*.json (snake_case, prose resize).
// Only the fields that change how the model runs are read; everything else is documentation.
import fs from 'node:fs';
import path from 'node:path';
import { Preprocessing, StudioError } from '../api/contract';
import { sideProblem } from './input-limits';
import { isInside, isRegularFile, MAX_SIDECAR_BYTES, readRegularFile } from './safe-read';

export interface SidecarInfo {
  name?: string;
  description?: string;
  license?: string;
  sha256?: string;
  inputName?: string;
  outputName?: string;
  inputSize?: [number, number];
  numClasses?: number;
  outputIsProbabilities?: boolean;
  preprocessing?: Preprocessing;
  /** Absolute path of the labels file when it exists inside the model's folder; otherwise a label set id guessed from its name. */
  labels?: string;
  /** The labels file the sidecar names, as written (for messages). */
  labelsFileAsWritten?: string;
  labelOffset?: number;
  backgroundIndex?: number | null;
}

export const sidecarPathFor = (onnxPath: string): string => onnxPath.replace(/\.onnx$/i, '') + '.json';

/** Reads the sidecar next to `onnxPath`, or null when there is none. A malformed one is an error naming it. */
export function readSidecarFor(onnxPath: string, extraBaseDirs: string[] = []): SidecarInfo | null {
  const file = sidecarPathFor(onnxPath);
  if (!fs.existsSync(file)) return null;
  return parseSidecar(readSidecarText(file), file, [path.dirname(file), ...extraBaseDirs]);
}

/** A sidecar's text: a regular file of at most MAX_SIDECAR_BYTES (a FIFO named X.json must not block list()). */
export function readSidecarText(file: string): string {
  return readRegularFile(file, { maxBytes: MAX_SIDECAR_BYTES, what: `sidecar ${file}`, code: 'bad_model' }).toString('utf8');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const triple = (v: unknown): [number, number, number] | undefined =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number') ? (v as [number, number, number]) : undefined;

/**
 * Parses sidecar text. `label` names the sidecar in errors; `baseDirs` are the model folders a labels file may live in:
 * the name is tried against each dir and its parent (the shared files say "labels/x.txt" relative to the models folder
 * while "file" says "models/x.onnx" relative to its parent), and kept only when, symlinks resolved, it is a regular
 * file inside that dir. A sidecar naming /etc/passwd or ../../x gets no labels file: its lines would become class
 * names, be copied on import and land in PNG provenance.
 */
export function parseSidecar(text: string, label: string, baseDirs: string[]): SidecarInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StudioError('bad_model', `${label}: sidecar is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(raw)) throw new StudioError('bad_model', `${label}: sidecar must be a JSON object`);
  const input = isObj(raw.input) ? raw.input : {};
  const output = isObj(raw.output) ? raw.output : {};
  const labels = isObj(raw.labels) ? raw.labels : {};
  const license = isObj(raw.license) ? str(raw.license.id) : str(raw.license);
  const size =
    Array.isArray(raw.input_size) && raw.input_size.length === 2 && raw.input_size.every((n) => Number.isInteger(n) && n > 0)
      ? (raw.input_size as [number, number])
      : undefined;
  const tooBig = sideProblem(size ?? [], 'input_size');
  if (tooBig) throw new StudioError('bad_model', `${label}: ${tooBig}`);

  const info: SidecarInfo = {
    name: str(raw.name),
    description: str(raw.description),
    license,
    sha256: typeof raw.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(raw.sha256) ? raw.sha256.toLowerCase() : undefined,
    inputName: str(input.name),
    outputName: str(output.name),
    inputSize: size,
    numClasses: num(labels.num_classes),
    outputIsProbabilities: typeof output.softmax_in_graph === 'boolean' ? output.softmax_in_graph : undefined,
    labelOffset: Number.isInteger(labels.label_offset) ? (labels.label_offset as number) : undefined,
    backgroundIndex: labels.background_index === null ? null : num(labels.background_index),
  };
  if (isObj(raw.preprocessing)) info.preprocessing = mapPreprocessing(raw.preprocessing, label, size?.[0] ?? 224);

  const labelsFile = str(labels.file);
  if (labelsFile) {
    info.labelsFileAsWritten = labelsFile;
    // Absolute only when inside the folder (the studio's own training export writes one); else relative to it.
    const found = baseDirs
      .flatMap((d) => [path.resolve(d, labelsFile), path.resolve(d, '..', labelsFile)].map((f) => ({ d, f })))
      .filter(({ d, f }) => isInside(d, f) && isRegularFile(f))
      .map(({ f }) => f);
    info.labels = found[0] ?? guessLabelSet(labelsFile, info.numClasses, info.backgroundIndex);
  }
  return info;
}

/** Without the file, only a name that says "1001 with background" or plain ImageNet order is safe to map. */
function guessLabelSet(file: string, numClasses?: number, background?: number | null): string {
  if (numClasses === 1001 && background === 0) return 'imagenet1001';
  if (/imagenet_labels_1001/i.test(file)) return 'imagenet1001';
  if (/^(imagenet1k|imagenet_labels_1000|synset)\.txt$/i.test(path.basename(file))) return 'imagenet1k';
  return 'none';
}

/** Snake-case sidecar recipe → the contract's Preprocessing. Accepts the contract's own camelCase form too. */
function mapPreprocessing(p: Obj, label: string, inputSide: number): Preprocessing {
  const order = str(p.channel_order) ?? str(p.channelOrder) ?? 'RGB';
  const layout = str(p.layout) ?? 'NCHW';
  const mean = triple(p.mean) ?? [0, 0, 0];
  const std = triple(p.std) ?? [1, 1, 1];
  const resizeText = (str(p.resize) ?? 'fill').toLowerCase();
  let resize: Preprocessing['resize'];
  let resizeTo = num(p.resize_to) ?? num(p.resizeTo);
  if (resizeText === 'fill' || resizeText === 'shorter-then-crop' || resizeText === 'fill-then-crop') resize = resizeText;
  else if (/no crop|whole|fill|stretch/.test(resizeText)) resize = 'fill';
  else if (/crop/.test(resizeText)) resize = /shorter|short side|aspect/.test(resizeText) ? 'shorter-then-crop' : 'fill-then-crop';
  else resize = 'fill';
  if (resize !== 'fill' && !resizeTo) resizeTo = Number(/(\d{3,4})/.exec(resizeText)?.[1]) || Math.round(inputSide / 0.875);
  const candidate = {
    channelOrder: /^BGR/i.test(order) ? 'BGR' : 'RGB',
    layout: /NHWC/i.test(layout) ? 'NHWC' : 'NCHW',
    scale: num(p.scale) ?? 1,
    mean,
    std,
    resize,
    ...(resize !== 'fill' && { resizeTo }),
  };
  const tooBig = resize === 'fill' ? null : sideProblem([resizeTo], 'the resize before the crop');
  if (tooBig) throw new StudioError('bad_model', `${label}: ${tooBig}`);
  const parsed = Preprocessing.safeParse(candidate);
  if (!parsed.success)
    throw new StudioError('bad_model', `${label}: preprocessing is not understood (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
