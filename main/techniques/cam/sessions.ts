// The two ORT sessions a CAM on (model, layer) needs, built once and cached:
//  - forward: the model truncated to [logits, A, extras] (one pass gives scores and the activation);
//  - head gradient: the model cut at A, scored as logits · w (w fed per class, so switching the class
//    never rebuilds anything), differentiated by the gradient core with respect to A.
// Backward therefore only runs through the head, not back to the image.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../api/contract';
import { buildGradGraph, GRAD_OUTPUT } from '../../onnx/grad-graph';
import { cloneModel, realInputs, type Model } from '../../onnx/ir';
import { encodeModel } from '../../onnx/proto';
import { winogradFeeds } from '../../onnx/winograd-weights';
import { inferShapes } from '../../onnx/shapes';
import { truncateAt } from '../../onnx/surgery';
import { defaultThreads, firstLine } from '../../runtime/sessions';
import { modelIR, type GraphIndex } from '../shared/graph-index';
import { withExtraOutputs } from '../shared/onnx-outputs';
import { cutAt, WEIGHTS_INPUT } from './cut';
import { listLayers, resolveLayer } from '../../onnx/layers';
import { analyseHead, checkLayer, type HeadInfo } from './layers';
import { patchGrid, spatialView, TOKEN_MAP } from './tokens';

export interface Tensor32 {
  data: Float32Array;
  dims: number[];
  /** Element type where it is not float32 (shape tensors a cut head reads from upstream). */
  type?: ort.Tensor.Type;
}

export interface CamGraphs {
  model: Model;
  index: GraphIndex;
  head: HeadInfo;
  /** The layer as chosen (a token sequence for transformers) … */
  layer: string;
  /** … and how its map is seen, when it is not a spatial map itself (patch grid of a token sequence). */
  view: string | null;
  inputName: string;
  classes: number;
  /** Largest batch the forward graph takes (1 when the batch dimension is fixed). */
  maxBatch: number;
  forward(input: Float32Array, dims: number[]): Promise<{ logits: Tensor32; activation: Tensor32; extras: Record<string, Tensor32> }>;
  /** d(Σ_n logits[n] · w)/dA. */
  gradient(activation: Tensor32, extras: Record<string, Tensor32>, weights: Float32Array): Promise<Tensor32>;
  /** Logits only, for Score-CAM's masked batches. */
  logits(input: Float32Array, dims: number[]): Promise<Tensor32>;
  release(): Promise<void>;
}

const options = (): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads: defaultThreads(),
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

const create = async (m: Model, what: string): Promise<ort.InferenceSession> => {
  try {
    return await ort.InferenceSession.create(encodeModel(m), options());
  } catch (e) {
    throw new StudioError('bad_model', `${what}: ONNX Runtime could not load the generated graph (${firstLine(e)})`);
  }
};

const out = (v: ort.Tensor): Tensor32 => ({
  data: v.data as Float32Array,
  dims: [...v.dims],
  ...(v.type === 'float32' ? {} : { type: v.type }),
});

const cache = new Map<string, Promise<CamGraphs>>();

/** Sessions for a model file and target layer (default: the suggested one). */
export function camGraphs(
  file: string,
  inputSize: [number, number],
  outputName?: string,
  layer?: string,
  wantGradient = true,
): Promise<CamGraphs> {
  const { model, index } = modelIR(file);
  const head = analyseHead(model, index, outputName, inputSize);
  const target = layer ? camLayerTensor(model, index, layer, inputSize) : head.target;
  if (!target) throw new StudioError('bad_request', `${file}: ${head.reason}`);
  const st = fs.statSync(file);
  // The file's version is part of the key: a re-imported model at the same path gets new sessions.
  const key = `${file}|${st.mtimeMs}|${st.size}|${target}|${wantGradient}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = build(file, model, index, head, target, inputSize, wantGradient);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
    void evict();
  }
  return hit;
}

/** A layer named the way `vision-studio layers` prints it (relu5_2, layer4) or by tensor name. */
function camLayerTensor(model: Model, index: GraphIndex, name: string, size: [number, number]): string {
  if (index.producer.has(name)) return name;
  let found: string | undefined;
  try {
    found = resolveLayer(listLayers(model, size), name)?.tensor;
  } catch {
    // A graph the layer lister cannot infer still takes tensor names.
  }
  if (!found)
    throw new StudioError('bad_request', `no tensor named "${name}" in the model, nor a layer of that name (see vision-studio layers)`);
  return found;
}

async function build(
  file: string,
  model: Model,
  index: GraphIndex,
  head: HeadInfo,
  layer: string,
  size: [number, number],
  wantGradient: boolean,
): Promise<CamGraphs> {
  const inp = realInputs(model.graph)[0];
  if (!inp) throw new StudioError('bad_model', 'the model has no input');
  checkLayer(index, layer, inp.name);
  // Concrete shapes at batch 1 and the model's input size, so the cut graph's inputs are fully typed.
  const sized = cloneModel(model);
  const sIn = sized.graph.inputs.find((v) => v.name === inp.name)!;
  const nchw = (sIn.shape?.[1] ?? 3) === 3;
  sIn.shape = nchw ? [1, 3, size[0], size[1]] : [1, size[0], size[1], 3];
  sized.graph.valueInfo.clear();
  let shapes = inferShapes(sized);
  const logitShape = shapes.get(head.logits)?.shape ?? [];
  const classes = Number(logitShape[logitShape.length - 1]);
  if (!Number.isFinite(classes)) throw new StudioError('bad_model', `cannot tell the number of classes from "${head.logits}"`);
  // A token sequence [N, T, C] (vision transformers) is explained through its spatial view on the patch grid.
  let work = model;
  let tensor = layer;
  let view: string | null = null;
  if (shapes.get(layer)?.shape.length === 3) {
    const grid = layer === head.target && head.tokens ? head.tokens : patchGrid(model, layer, shapes);
    if (!grid)
      throw new StudioError(
        'bad_request',
        `layer "${layer}" is a token sequence whose tokens no patch grid explains: choose a spatial map`,
      );
    work = spatialView(model, layer, grid);
    tensor = TOKEN_MAP;
    view = grid.how;
    const sizedView = spatialView(sized, layer, grid);
    shapes = inferShapes(sizedView);
  }
  const cut = cutAt(work, shapes, tensor, head.logits, classes);
  const outputs = [head.logits, tensor, ...cut.extras];
  const fwd = work === model ? await forwardSession(file, model, outputs) : await create(truncateAt(work, outputs), 'forward');
  // One forward session serves Score-CAM's masked batches too (the extra output costs a copy, not a second model in memory).
  const sessions = [fwd];
  let grad: ort.InferenceSession | null = null;
  let fixed: Record<string, ort.Tensor> = {};
  if (wantGradient) {
    const gg = buildGradGraph(cut.model, { objectives: [{ objective: { kind: 'class', tensor: cut.score, index: 0 } }], input: tensor });
    grad = await create(gg.model, 'gradient');
    fixed = await winogradFeeds(gg.winograd);
    sessions.push(grad);
  }
  const batchDim = inp.shape?.[0];
  return {
    model,
    index,
    head,
    layer,
    view,
    inputName: inp.name,
    classes,
    maxBatch: typeof batchDim === 'number' && batchDim > 0 ? batchDim : 16,
    async forward(input, dims) {
      const r = await fwd.run({ [inp.name]: new ort.Tensor('float32', input, dims) });
      return { logits: out(r[head.logits]), activation: out(r[tensor]), extras: Object.fromEntries(cut.extras.map((e) => [e, out(r[e])])) };
    },
    async gradient(activation, extras, weights) {
      if (!grad) throw new StudioError('internal', 'gradient session not built');
      const feeds: Record<string, ort.Tensor> = {
        ...fixed,
        [tensor]: new ort.Tensor('float32', activation.data, activation.dims),
        [WEIGHTS_INPUT]: new ort.Tensor('float32', weights, [classes, 1]),
      };
      for (const [k, v] of Object.entries(extras)) feeds[k] = new ort.Tensor(v.type ?? 'float32', v.data, v.dims);
      const r = await grad.run(feeds, [GRAD_OUTPUT]);
      return out(r[GRAD_OUTPUT]);
    },
    async logits(input, dims) {
      const r = await fwd.run({ [inp.name]: new ort.Tensor('float32', input, dims) });
      return out(r[head.logits]);
    },
    async release() {
      for (const s of sessions) await s.release().catch(() => undefined);
    },
  };
}

/**
 * The model with the extra outputs: straight from the file's bytes when possible (no re-encoding),
 * else through the IR (e.g. weights in external data files, which bytes alone cannot locate).
 */
async function forwardSession(file: string, model: Model, outputs: string[]): Promise<ort.InferenceSession> {
  const extra = outputs.filter((n, i) => outputs.indexOf(n) === i && !model.graph.outputs.some((o) => o.name === n));
  try {
    return await ort.InferenceSession.create(withExtraOutputs(fs.readFileSync(file), extra), options());
  } catch {
    return create(truncateAt(model, outputs), 'forward');
  }
}

/** Keeps the four most recent (model, layer) pairs; older sessions are released. */
async function evict(): Promise<void> {
  while (cache.size > 4) {
    const oldest = cache.keys().next().value as string;
    const p = cache.get(oldest)!;
    cache.delete(oldest);
    await (await p.catch(() => null))?.release();
  }
}

/** Releases every cached CAM session (engine shutdown, tests). */
export async function releaseCamSessions(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const p of all) await (await p.catch(() => null))?.release();
}
