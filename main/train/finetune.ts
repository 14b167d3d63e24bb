// Fine-tuning: the pretrained base with a new head, the base's last N parametrised layers (convolutions and
// linear layers, with their biases) trained too at a smaller learning rate, everything before them frozen.
// Batch norm stays frozen (inference mode on its running statistics), as fastai and Keras recommend for small
// datasets. Images are decoded once at the base's input size; augmentation runs per step like from-scratch
// training, and the whole network runs forward each step (the frozen part has no backward pass).
import path from 'node:path';
import { StudioError, type TrainParams } from '../api/contract';
import type { Model } from '../onnx/ir';
import { loadModel } from '../onnx/proto';
import { topoSort } from '../onnx/validate';
import type { Augmentation } from './data/augment';
import { loadTensorCache } from './data/cache';
import type { Sample } from './data/scan';
import { parameterNames } from './graph/prepare';
import { buildHead } from './models/head';
import { ImageSource } from './sources';
import type { Prepared, TrainReporter, TrainServices } from './train';
import { attachHead } from './transfer/compose';
import { embeddingModel } from './transfer/embedding';

/** Weight and bias initializers of the last `n` Conv/Gemm/MatMul layers, in graph order. */
export function lastLayers(model: Model, n: number): string[][] {
  const g = model.graph;
  const layers = topoSort(g)
    .filter((x) => (x.opType === 'Conv' || x.opType === 'Gemm' || x.opType === 'MatMul') && g.initializers.has(x.inputs[1]))
    .map((x) => x.inputs.slice(1).filter((i) => i && g.initializers.has(i)));
  return layers.slice(Math.max(0, layers.length - n));
}

export async function fineTune(
  p: TrainParams,
  classes: string[],
  train: Sample[],
  val: Sample[],
  s: TrainServices,
  r: TrainReporter,
): Promise<Prepared> {
  if (!p.baseModelId) throw new StudioError('bad_request', 'fine-tuning needs a base model (baseModelId / --base)');
  const meta = await s.registry.resolveAsync(p.baseModelId);
  if (!meta.path || meta.status !== 'available')
    throw new StudioError('model_missing', `${meta.name} is not on disk yet: download it first.`);
  const pre = meta.preprocessing;
  if (pre.layout !== 'NCHW' || pre.channelOrder !== 'RGB' || pre.resize !== 'fill' || meta.inputSize[0] !== meta.inputSize[1])
    throw new StudioError(
      'bad_request',
      `${meta.name}: fine-tuning needs a square RGB NCHW model that resizes whole photos (this one: ${pre.channelOrder} ${pre.layout}, ${pre.resize}); use transfer learning instead`,
    );
  const size = meta.inputSize[0];
  const base = embeddingModel(loadModel(meta.path), undefined).model;
  const unfrozen = lastLayers(base, p.fineTuneBlocks).flat();
  const head = buildHead({
    dim: embeddingModel(loadModel(meta.path)).dim,
    classes: classes.length,
    kind: p.head,
    hidden: p.hidden,
    dropout: p.dropout || undefined,
    seed: p.seed,
  });
  const forward = attachHead(base, head);
  const headParams = parameterNames(forward).filter((n) => n.startsWith('head/'));
  r.log(
    `fine-tuning ${unfrozen.length} tensors of the last ${p.fineTuneBlocks} layer(s) of ${meta.name} at ${p.backboneLrScale}× the head's learning rate`,
  );

  const load = (samples: Sample[], what: string) =>
    loadTensorCache(samples, {
      size,
      channels: 3,
      resize: 'fill',
      cacheDir: path.join(s.cacheDir, 'images'),
      signal: r.signal,
      onProgress: (d, n) => r.progress(0, `decoding ${what} images ${d} / ${n}`),
    });
  const trainSet = await load(train, 'training');
  const valSet = await load(val, 'validation');
  for (const k of [...trainSet.skipped, ...valSet.skipped].slice(0, 20)) r.log(`skipped ${k.file}: ${k.reason}`);
  if (trainSet.n === 0 || valSet.n === 0) throw new StudioError('bad_request', 'no readable images left to train or validate on');
  // The base's own normalisation, in the 0..1 units the batch maker takes: (p·scale − mean)/std.
  const k = 255 * pre.scale;
  const source = new ImageSource(
    trainSet,
    valSet,
    new Set<Augmentation>(p.augment),
    pre.mean.map((m) => m / k),
    pre.std.map((d) => d / k),
    p.batch,
  );
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of forward.graph.initializers) if (t.data instanceof Float32Array) weights.set(name, t.data.slice());
  return {
    forward,
    weights,
    trainable: [...headParams, ...unfrozen],
    groups: [
      { names: headParams, lrScale: 1 },
      { names: unfrozen, lrScale: p.backboneLrScale },
    ],
    source,
    arch: `fine-tuned ${meta.name}`,
    baseName: meta.name,
    inputSize: meta.inputSize,
    preprocessing: pre,
    valFiles: Array.from(valSet.sourceIndex, (i) => val[i].file),
    compose: (m) => m,
    checkInputs: async (count) => {
      const b = source.valBatch(Uint32Array.from({ length: count }, (_, i) => i));
      return { x: b.x, dims: [count, 3, size, size], count };
    },
  };
}
