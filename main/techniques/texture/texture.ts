// Texture synthesis (Gatys, Ecker & Bethge 2015): from white noise, match the Gram matrices of a sample at
// conv1_1 and pool1–pool4 (or the model's equivalents) with L-BFGS. The output size is independent of the
// sample's; average pooling is an option. Each layer's term is divided by its target's mean square, so the
// default equal weights mean the same on any model.
import type { ModelMeta } from '../../api/contract';
import { meanSquare } from '../create-shared/gram';
import { createModel, defaultTextureLayers, fixedSize, fixedSizeNote, layer } from '../create-shared/model';
import { evaluator, forwardTargets, session } from '../create-shared/net';
import { minimise } from '../create-shared/optim';
import type { CreateResult, TextureParams } from '../create-shared/params';
import { fitSize, imgToRgb, loadRgb, noiseImg, rgbToImg } from '../create-shared/pixels';
import { Tracker, type Reporter } from '../create-shared/progress';
import { finish } from '../create-shared/result';
import { seededRng } from '../../optim/rng';

export async function texture(meta: ModelMeta, p: TextureParams, r: Reporter): Promise<CreateResult> {
  const cm = createModel(meta, { avgPool: p.avgPool });
  const names = p.layers.length > 0 ? p.layers : defaultTextureLayers(cm);
  const tensors = names.map((n) => layer(cm, n).tensor);
  const lw = p.layerWeights ?? names.map(() => 1);
  if (lw.length !== names.length) throw new Error(`layerWeights has ${lw.length} entries for ${names.length} layers`);

  // A network that takes one size only (ViT) reads the sample and makes the texture at that size.
  const fixed = fixedSize(cm, tensors);
  const sample = rgbToImg(await loadRgb(p.sample.name, p.sample.bytes, fixed ?? p.sampleSize, 8, fixed ? 'cover' : 'fill'), cm.pre);
  const [fromSample] = await forwardTargets(cm, { grams: tensors }, [sample]);
  const targets = Object.fromEntries(tensors.map((t) => [`gram:${t}`, fromSample[`gram:${t}`]]));
  const objectives = tensors.map((t, i) => ({
    objective: { kind: 'style' as const, tensor: t },
    weight: lw[i] / (names.length * meanSquare(targets[`gram:${t}`])),
  }));

  const size =
    fixed ?? (p.width && p.height ? { width: p.width, height: p.height } : fitSize(p.width ?? p.size, p.height ?? p.size, p.size));
  const rng = seededRng(p.seed);
  const x = noiseImg(size.width, size.height, cm.pre, rng.normal, 50);
  const track = new Tracker(r, p.steps, cm.pre, { previewEvery: p.previewEvery, frames: p.timelapse });
  const s = await session(cm, objectives, x);
  const f = evaluator(s, x, targets, {}, track);
  await minimise(f, x.data, {
    method: p.optimiser,
    steps: p.steps,
    lr: p.learningRate * (cm.pre.scale / cm.pre.std[0]),
    onStart: (loss) => track.start(loss),
    onStep: (_k, data, loss) => track.done(loss, { ...x, data }),
  });
  const losses = track.losses;
  return finish({
    tool: 'texture',
    rgb: imgToRgb(x, cm.pre),
    width: x.width,
    height: x.height,
    track,
    format: p.format,
    exportSize: p.exportSize,
    timelapse: p.timelapse,
    parts: { gram: { start: losses[0], end: losses[losses.length - 1] } },
    notes: fixed ? [fixedSizeNote(cm, fixed, 'the sample was')] : [],
    prov: {
      technique: 'texture',
      method: p.avgPool ? 'gram (average pooling)' : 'gram',
      meta,
      sha256: cm.sha256,
      layers: names,
      seed: p.seed,
      source: p.sample.name,
      parameters: {
        width: x.width,
        height: x.height,
        sampleSize: p.sampleSize,
        steps: p.steps,
        optimiser: p.optimiser,
        layerWeights: lw,
        avgPool: p.avgPool,
      },
    },
  });
}
