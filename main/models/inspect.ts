// Infers what the studio needs to run an arbitrary .onnx classifier from the graph itself: input name, layout and size,
// number of classes. Preprocessing cannot be read from a graph, so it gets the common ImageNet default (editable later).
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError, type Preprocessing } from '../api/contract';
import { sideProblem } from './input-limits';
import { MAX_MODEL_BYTES } from './safe-read';

export interface InspectedModel {
  inputName: string;
  outputName: string;
  inputShape: (number | string)[];
  outputShape: (number | string)[];
  layout: 'NCHW' | 'NHWC';
  inputSize: [number, number];
  /** Product of the non-batch output dims; 0 when a class dim is symbolic. */
  numClasses: number;
  outputIsProbabilities: boolean;
  preprocessing: Preprocessing;
  /** Label set guessed from the class count ('imagenet1k', 'imagenet1001' or 'none'). */
  labels: string;
}

/** torchvision/ImageNet recipe, the most common one for exported classifiers: shorter side to size/0.875 (256 for 224), centre crop. */
export function defaultPreprocessing(layout: 'NCHW' | 'NHWC' = 'NCHW', inputSide = 224): Preprocessing {
  const resizeTo = Math.round(inputSide / 0.875);
  return {
    channelOrder: 'RGB',
    layout,
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    resize: 'shorter-then-crop',
    resizeTo,
  };
}

export function labelsForClassCount(n: number): string {
  return n === 1000 ? 'imagenet1k' : n === 1001 ? 'imagenet1001' : 'none';
}

/**
 * Opens `file` with ONNX Runtime, reads its I/O metadata and releases the session.
 * `displayName` names the file in errors (an import's original name rather than a temp path).
 */
export async function inspectModel(file: string, displayName = path.basename(file)): Promise<InspectedModel> {
  const fail = (reason: string): never => {
    throw new StudioError('bad_model', `${displayName}: ${reason}`);
  };
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return fail('file not found');
  }
  // ONNX Runtime would block forever opening a FIFO, and read a device without end.
  if (!st.isFile()) fail('not a regular file');
  if (st.size === 0) fail('zero-byte file, not an ONNX model');
  if (st.size > MAX_MODEL_BYTES) fail(`${(st.size / 2 ** 30).toFixed(1)} GB, over the 2 GB limit of one ONNX file`);

  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  } catch (e) {
    return fail(loadFailureReason(e));
  }
  try {
    const input = session.inputMetadata[0];
    const output = session.outputMetadata[0];
    if (!input || !output) return fail('the graph has no inputs or no outputs');
    if (!input.isTensor || !output.isTensor) return fail('input or output is not a tensor');
    return describe(input.name, [...input.shape], output.name, [...output.shape], fail);
  } finally {
    await session.release().catch(() => undefined);
  }
}

function describe(
  inputName: string,
  inputShape: (number | string)[],
  outputName: string,
  outputShape: (number | string)[],
  fail: (reason: string) => never,
): InspectedModel {
  if (inputShape.length !== 4)
    fail(`input "${inputName}" has shape [${inputShape.join(', ')}]; expected an image tensor [N,3,H,W] or [N,H,W,3]`);
  // NCHW when dim 1 is 3; NHWC when the last is 3; a symbolic channel dim defaults to NCHW (by far the common case).
  const layout = inputShape[1] === 3 ? 'NCHW' : inputShape[3] === 3 ? 'NHWC' : typeof inputShape[1] === 'string' ? 'NCHW' : null;
  if (!layout) fail(`input "${inputName}" has shape [${inputShape.join(', ')}]: no 3-channel (RGB) dimension`);
  const [hDim, wDim] = layout === 'NCHW' ? [inputShape[2], inputShape[3]] : [inputShape[1], inputShape[2]];
  const fixed = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  const h = fixed(hDim) ?? fixed(wDim) ?? 224;
  const w = fixed(wDim) ?? h;
  const tooBig = sideProblem([h, w], `input "${inputName}" [${inputShape.join(', ')}]`);
  if (tooBig) fail(tooBig);

  const classDims = outputShape.slice(1);
  const numClasses =
    classDims.length && classDims.every((d) => typeof d === 'number' && d > 0)
      ? classDims.reduce<number>((a, d) => a * (d as number), 1)
      : 0;
  return {
    inputName,
    outputName,
    inputShape,
    outputShape,
    layout: layout!,
    inputSize: [h, w],
    numClasses,
    outputIsProbabilities: /softmax|prob/i.test(outputName),
    preprocessing: defaultPreprocessing(layout!, Math.max(h, w)),
    labels: labelsForClassCount(numClasses),
  };
}

/** ORT's load errors are long and C++-flavoured: turn the common ones into a sentence. */
function loadFailureReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/protobuf parsing failed/i.test(msg)) return 'not an ONNX model (protobuf parse failed; the file is truncated or not ONNX)';
  if (/does not have a graph/i.test(msg)) return 'not an ONNX model (no graph in the file)';
  if (/opset|Unsupported model IR version/i.test(msg)) return `uses an ONNX version this ONNX Runtime cannot load (${firstLine(msg)})`;
  return `ONNX Runtime could not load it (${firstLine(msg)})`;
}

function firstLine(msg: string): string {
  return msg
    .replace(/^Load model from .*? failed:/, '')
    .split('\n')[0]
    .replace(/\/onnxruntime_src\/\S+ /, '')
    .trim()
    .slice(0, 200);
}
