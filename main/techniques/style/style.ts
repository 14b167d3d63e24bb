// Neural style transfer (Gatys, Ecker & Bethge 2016): match the content image's features at relu4_2 and
// the (weighted blend of) style images' Gram matrices at relu1_1 … relu5_1, plus total variation, with
// L-BFGS or Adam, from the content, noise or the style. Multi-scale: each scale starts from the previous
// result upsampled. Colour preservation transfers luminance only and puts the content's colours back.
// Every term is divided by its target's mean square, so the weights mean the same on any model; layers
// whose activations lie outside float32's comfortable range are rescaled first (withScaledLayers), and a
// layer whose target is all zero is refused by name rather than divided by.
import { StudioError, type ModelMeta } from '../../api/contract';
import type { WeightedObjective } from '../../onnx/loss';
import type { TensorOut } from '../../onnx/runner';
import { blend } from '../create-shared/gram';
import {
  createModel,
  defaultContentLayer,
  defaultStyleLayers,
  fixedSize,
  fixedSizeNote,
  layer,
  requireSize,
  rescaleFactor,
  rms,
  sizeMultiple,
  withScaledLayers,
  type CreateModel,
} from '../create-shared/model';
import { evaluator, forwardTargets, session, type Evaluation } from '../create-shared/net';
import { minimise } from '../create-shared/optim';
import type { CreateResult, StyleParams } from '../create-shared/params';
import { imgToRgb, mergeLuminance, noiseImg, resizeImg, type Img } from '../create-shared/pixels';
import { Tracker, type Reporter } from '../create-shared/progress';
import { tvPrior } from '../create-shared/regularisers';
import { finish } from '../create-shared/result';
import { seededRng } from '../../optim/rng';
import { scaleInputs } from './inputs';

interface Problem {
  content: WeightedObjective[];
  style: WeightedObjective[];
  targets: Record<string, TensorOut>;
  /** Layers whose activations should be rescaled first (factor ≠ 1), by tensor. */
  factors: Map<string, number>;
}

export async function styleTransfer(meta: ModelMeta, p: StyleParams, r: Reporter): Promise<CreateResult> {
  let cm = createModel(meta, { avgPool: p.avgPool });
  const contentName = p.contentLayer ?? defaultContentLayer(cm);
  const styleNames = p.styleLayers.length > 0 ? p.styleLayers : defaultStyleLayers(cm);
  const lw = p.styleLayerWeights ?? styleNames.map(() => 1);
  if (lw.length !== styleNames.length) throw new Error(`styleLayerWeights has ${lw.length} entries for ${styleNames.length} layers`);
  let contentT = layer(cm, contentName).tensor;
  let styleT = styleNames.map((n) => layer(cm, n).tensor);
  // A network that takes one size only (ViT) runs at that size, in one scale.
  const fixed = fixedSize(cm, [contentT, ...styleT]);
  const scales = fixed ? [Math.max(fixed.width, fixed.height)] : p.scales.length > 0 ? p.scales : [p.size];
  const notes = fixed ? [fixedSizeNote(cm, fixed, `the content and style images were`)] : [];
  const multiple = sizeMultiple(cm, [contentName, ...styleNames]);
  const rng = seededRng(p.seed);
  const track = new Tracker(r, p.steps * scales.length, cm.pre, { previewEvery: p.previewEvery, frames: p.timelapse });
  const parts: CreateResult['parts'] = {};

  let x: Img | null = null;
  let chroma: { i: Float32Array; q: Float32Array } | undefined;
  for (let si = 0; si < scales.length; si++) {
    const inp = await scaleInputs(p, cm.pre, scales[si], multiple, fixed);
    const tensors = [contentT, ...styleT];
    requireSize(
      cm,
      tensors,
      inp.content.width,
      inp.content.height,
      `the content image at scale ${scales[si]}`,
      'use a larger --size or --scales',
    );
    chroma = inp.chroma;
    let prob = await problem(cm, p, inp.content, inp.styles, contentT, styleT, lw);
    if (si === 0 && prob.factors.size) {
      // Out-of-range activations (untrained nets): the same problem on rescaled layers.
      cm = withScaledLayers(cm, prob.factors);
      contentT = layer(cm, contentName).tensor;
      styleT = styleNames.map((n) => layer(cm, n).tensor);
      prob = await problem(cm, p, inp.content, inp.styles, contentT, styleT, lw);
    }
    const { width, height } = inp.content;
    if (x) x = resizeImg(x, width, height);
    else if (p.init === 'content') x = { ...inp.content, data: inp.content.data.slice() };
    else if (p.init === 'style') x = resizeImg(inp.styles[0], width, height);
    else x = noiseImg(width, height, cm.pre, rng.normal, 50);
    const cur: Img = x;

    const tvW = p.tvWeight / (width * height);
    // The content activation is tapped so the content and style terms can be told apart without more sessions.
    const s = await session(cm, [...prob.content, ...prob.style], cur, [contentT]);
    const f0 = evaluator(s, cur, prob.targets, { tv: (img, g) => tvPrior(img, cm.pre, 2, tvW, g) }, track);
    // The content and style terms at the start and the end come from the optimiser's own first and last
    // evaluations (the last is at the final image unless a line search ended on a rejected trial).
    let first: { content: number; style: number } | undefined;
    let last: { at: Float32Array; eval: Evaluation } | undefined;
    const f = async (v: Float32Array): Promise<Evaluation> => {
      const e = await f0(v);
      first ??= split(e, prob, contentT);
      last = { at: v.slice(), eval: e };
      return e;
    };
    await minimise(f, cur.data, {
      method: p.optimiser,
      steps: p.steps,
      lr: p.learningRate * (cm.pre.scale / cm.pre.std[0]),
      onStart: (loss) => track.start(loss),
      onStep: (k, data, loss) =>
        track.done(loss, { ...cur, data }, {}, `scale ${si + 1} / ${scales.length}: ${width}×${height}, step ${k} / ${p.steps}`),
    });
    const start = first ?? split(await f0(cur.data), prob, contentT);
    const end = last && sameValues(last.at, cur.data) ? split(last.eval, prob, contentT) : split(await f0(cur.data), prob, contentT);
    const tag = scales.length > 1 ? `@${scales[si]}` : '';
    parts[`content${tag}`] = { start: start.content, end: end.content };
    parts[`style${tag}`] = { start: start.style, end: end.style };
  }
  const out = x!;
  let rgb = imgToRgb(out, cm.pre);
  if (chroma) rgb = mergeLuminance(rgb, chroma.i, chroma.q);
  return finish({
    tool: 'style',
    rgb,
    width: out.width,
    height: out.height,
    track,
    format: p.format,
    exportSize: p.exportSize,
    timelapse: p.timelapse,
    parts,
    notes,
    prov: {
      technique: 'style',
      method: p.preserveColor ? 'gatys (luminance only)' : 'gatys',
      meta,
      sha256: cm.sha256,
      layers: [contentName, ...styleNames],
      seed: p.seed,
      source: [p.content.name, ...p.styles.map((s) => s.image.name)].join(', '),
      parameters: {
        contentLayer: contentName,
        styleLayers: styleNames,
        styleLayerWeights: lw,
        styles: p.styles.map((s) => ({ name: s.image.name, weight: s.weight })),
        contentWeight: p.contentWeight,
        styleWeight: p.styleWeight,
        tvWeight: p.tvWeight,
        init: p.init,
        optimiser: p.optimiser,
        steps: p.steps,
        scales,
        preserveColor: p.preserveColor,
        avgPool: p.avgPool,
      },
    },
  });
}

/** Targets and weighted objectives at one scale: each term divided by its target's mean square. */
async function problem(
  cm: CreateModel,
  p: StyleParams,
  content: Img,
  styles: Img[],
  contentT: string,
  styleT: string[],
  lw: number[],
): Promise<Problem> {
  // One forward session for the content and every style image (the content run's Grams are unused).
  const [fromContent, ...fromStyles] = await forwardTargets(cm, { taps: [contentT, ...styleT], grams: styleT }, [content, ...styles]);
  const ca = fromContent[contentT];
  const name = (t: string) => cm.layers.find((l) => l.tensor === t)?.name ?? t;
  const factors = new Map<string, number>();
  const measure = (t: string, r: number, what: string) => {
    if (r === 0 || !Number.isFinite(r))
      throw new StudioError(
        'bad_request',
        `${cm.meta.name}: ${what} layer ${name(t)}: the ${what === 'content' ? 'content image' : 'style image'}'s activations there are ` +
          `${r === 0 ? 'all zero, so there is nothing to match' : 'not finite'}; choose another ${what} layer`,
      );
    const k = rescaleFactor(r);
    if (k !== 1) factors.set(t, k);
  };
  measure(contentT, rms(ca), 'content');
  styleT.forEach((t) => measure(t, Math.max(...fromStyles.map((a) => rms(a[t]))), 'style'));
  if (factors.size) return { content: [], style: [], targets: {}, factors };
  const grams: TensorOut[][] = fromStyles.map((a) => styleT.map((t) => a[`gram:${t}`]));
  const targets: Record<string, TensorOut> = { [`target:${contentT}`]: ca };
  const style: WeightedObjective[] = styleT.map((t, i) => {
    const g = blend(
      grams.map((gs) => gs[i]),
      p.styles.map((s) => s.weight),
    );
    targets[`gram:${t}`] = g;
    return { objective: { kind: 'style', tensor: t }, weight: (p.styleWeight * lw[i]) / (styleT.length * targetScale(g, name(t))) };
  });
  const contentObj: WeightedObjective[] = [
    { objective: { kind: 'content', tensor: contentT }, weight: p.contentWeight / targetScale(ca, name(contentT)) },
  ];
  return { content: contentObj, style, targets, factors };
}

/** A target's mean square, the divisor of its term; a zero or subnormal one is refused by name (never divided by). */
function targetScale(t: TensorOut, layerName: string): number {
  let s = 0;
  for (let i = 0; i < t.data.length; i++) s += t.data[i] * t.data[i];
  const ms = s / t.data.length;
  // Below float32's smallest normal number the weight 1/ms would overflow the float32 loss graph.
  if (!(ms >= 1.2e-38) || !Number.isFinite(ms))
    throw new StudioError(
      'bad_request',
      `the target at layer ${layerName} is ${ms === 0 ? 'zero' : `out of float32 range (mean square ${ms.toExponential(1)})`}: nothing to weigh the term by`,
    );
  return ms;
}

/** The content and style terms of an evaluation: content from the tapped activation, style = network loss − content. */
function split(e: Evaluation, prob: Problem, contentT: string): { content: number; style: number } {
  const y = e.taps[contentT].data;
  const t = prob.targets[`target:${contentT}`].data;
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - t[i]) ** 2;
  const content = (prob.content[0].weight ?? 1) * (sum / y.length);
  return { content, style: e.parts.net - content };
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
