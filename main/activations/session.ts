// The model with every explorer layer exposed as a graph output (surgery.exposeTensors), as one ORT session
// built through the runtime's owner of session options (runtime/ort.ts). One forward pass then returns all
// the maps. The last two (model version, layer set) sessions are kept; older ones are released.
import fs from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { StudioError, type ActivationsLayerSet } from '../api/contract';
import { cloneModel, realInputs } from '../onnx/ir';
import { encodeModel } from '../onnx/proto';
import { exposeTensors } from '../onnx/surgery';
import { createTrainSession } from '../runtime/ort';
import { firstLine } from '../runtime/sessions';
import { modelIR } from '../techniques/shared/graph-index';
import { explorerLayers, type ExplorerLayer } from './layers';

export interface ExposedModel {
  /** file|mtime|size: the model file's version. */
  version: string;
  set: ActivationsLayerSet;
  session: ort.InferenceSession;
  inputName: string;
  layers: ExplorerLayer[];
}

const cache = new Map<string, Promise<ExposedModel>>();
const KEEP = 2;

export function fileVersion(file: string): string {
  const st = fs.statSync(file);
  return `${file}|${st.mtimeMs}|${st.size}`;
}

/** The exposed session for a model file and layer set; `built` tells whether this call had to build it. */
export async function exposedModel(
  file: string,
  name: string,
  inputSize: [number, number],
  set: ActivationsLayerSet,
): Promise<{ model: ExposedModel; built: boolean }> {
  const version = fileVersion(file);
  const key = `${version}|${set}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return { model: await hit, built: false };
  }
  const p = build(file, name, version, inputSize, set);
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  while (cache.size > KEEP) {
    const oldest = cache.keys().next().value as string;
    const old = cache.get(oldest)!;
    cache.delete(oldest);
    void old.then((m) => m.session.release()).catch(() => undefined);
  }
  return { model: await p, built: true };
}

async function build(
  file: string,
  name: string,
  version: string,
  inputSize: [number, number],
  set: ActivationsLayerSet,
): Promise<ExposedModel> {
  const { model } = modelIR(file);
  const layers = explorerLayers(model, inputSize, set);
  if (layers.length === 0) throw new StudioError('bad_model', `${name}: no spatial feature maps to show (is it a convolutional network?)`);
  const exposed = cloneModel(model);
  exposeTensors(
    exposed,
    layers.map((l) => l.tensor),
  );
  const inputName = realInputs(model.graph)[0]?.name;
  if (!inputName) throw new StudioError('bad_model', `${name}: the graph has no input`);
  let session: ort.InferenceSession;
  try {
    // Level 'extended' (no layout transforms that would add a reorder for each exposed map), CPU: every map
    // comes back to host memory anyway.
    session = await createTrainSession(encodeModel(exposed), { provider: 'cpu' });
  } catch (e) {
    throw new StudioError('bad_model', `${name}: ONNX Runtime could not load the model with its layers exposed (${firstLine(e)})`);
  }
  return { version, set, session, inputName, layers };
}

/** Releases every cached session (engine shutdown, tests). */
export async function releaseExposedModels(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((p) => p.then((m) => m.session.release()).catch(() => undefined)));
}
