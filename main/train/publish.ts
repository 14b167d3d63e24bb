// A trained model becomes a studio model: the inference ONNX is written with a sidecar (preprocessing,
// labels, input size, provenance) and imported into the registry, so Classify, Explain and Create list it at
// once. Before it is offered, the registered file is loaded in a fresh session and its logits are compared
// with the trained graph's evaluation logits on validation inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError, type ModelMeta, type Preprocessing } from '../api/contract';
import type { Model } from '../onnx/ir';
import { encodeModel } from '../onnx/proto';
import { checkOutPath } from '../util/out-path';
import type { ModelRegistry } from '../models/registry';

export interface PublishSpec {
  model: Model;
  name: string;
  description: string;
  classes: string[];
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** What the sidecar records of how it was made (architecture, base, hyperparameters). */
  training: Record<string, unknown>;
}

/** Sidecar in the shared models' format (snake_case, what models/sidecar.ts reads). */
function sidecar(spec: PublishSpec, inputName: string, outputName: string, labelsFile: string): unknown {
  const p = spec.preprocessing;
  return {
    name: spec.name,
    description: spec.description,
    architecture: spec.training.arch ?? 'trained in Vision Studio',
    input: { name: inputName, shape: ['N', 3, spec.inputSize[0], spec.inputSize[1]], dtype: 'float32' },
    input_size: spec.inputSize,
    preprocessing: {
      channel_order: p.channelOrder,
      layout: p.layout,
      scale: p.scale,
      mean: p.mean,
      std: p.std,
      resize: p.resize,
      ...(p.resizeTo ? { resize_to: p.resizeTo } : {}),
    },
    output: { name: outputName, shape: ['N', spec.classes.length], softmax_in_graph: false },
    labels: { file: labelsFile, num_classes: spec.classes.length },
    training: spec.training,
  };
}

export async function publishModel(registry: ModelRegistry, spec: PublishSpec): Promise<ModelMeta> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-export-'));
  try {
    const base = spec.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'model';
    const onnx = path.join(dir, `${base}.onnx`);
    const labels = path.join(dir, `${base}.labels.txt`);
    fs.writeFileSync(onnx, encodeModel(spec.model));
    // One class per line, the class folder names (a newline inside a name would shift every label).
    fs.writeFileSync(labels, spec.classes.map((c) => c.replace(/[\r\n]+/g, ' ')).join('\n') + '\n');
    const g = spec.model.graph;
    const side = sidecar(spec, g.inputs.find((v) => !g.initializers.has(v.name))!.name, g.outputs[0].name, labels);
    const sidecarFile = path.join(dir, `${base}.json`);
    fs.writeFileSync(sidecarFile, JSON.stringify(side, null, 1));
    return await registry.import({ path: onnx }, { path: sidecarFile });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new StudioError('disk_full', `The disk is full: ${spec.name} could not be saved.`);
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Copies a registered model to `out` (an .onnx path) with a sidecar and labels beside it, so
 * `classify --model out.onnx` (and any other studio) reads it with the right preprocessing and class names.
 */
export function copyWithSidecar(meta: ModelMeta, labels: readonly string[], out: string): void {
  checkOutPath(out, 'model.onnx');
  const stem = out.replace(/\.onnx$/i, '');
  const labelsFile = `${stem}.labels.txt`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.copyFileSync(meta.path!, out);
    fs.writeFileSync(labelsFile, labels.join('\n') + '\n');
    writeSidecar(meta, labels, stem, labelsFile);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'the disk is full' : (err.code ?? err.message);
    throw new StudioError(
      err.code === 'ENOSPC' ? 'disk_full' : 'bad_request',
      `${out} could not be written (${why}); the model stays in the studio as "${meta.name}"`,
    );
  }
}

function writeSidecar(meta: ModelMeta, labels: readonly string[], stem: string, labelsFile: string): void {
  const spec = {
    name: meta.name,
    description: meta.notes ?? '',
    classes: [...labels],
    inputSize: meta.inputSize,
    preprocessing: meta.preprocessing,
    training: {},
  };
  const side = sidecar(spec as PublishSpec, meta.inputName ?? 'input', meta.outputName ?? 'logits', path.basename(labelsFile));
  fs.writeFileSync(`${stem}.json`, JSON.stringify(side, null, 1));
}

/**
 * Runs the registered file on `x` (NCHW, 3 channels, as Classify feeds it) and returns max |Δ| against the
 * logits the trained graph gave for the same images.
 */
export async function verifyExport(meta: ModelMeta, x: Float32Array, dims: number[], expected: Float32Array): Promise<number> {
  const s = await ort.InferenceSession.create(meta.path!, { graphOptimizationLevel: 'extended', intraOpNumThreads: 2 });
  try {
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, dims) });
    const got = out[s.outputNames[0]].data as Float32Array;
    if (got.length !== expected.length)
      throw new StudioError('internal', `export check: ${got.length} logits from the exported model, ${expected.length} expected`);
    let max = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected[i]));
    return max;
  } finally {
    await s.release();
  }
}
