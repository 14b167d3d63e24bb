// Feature inversion (Mahendran & Vedaldi 2015): from noise, find an image whose features at a layer match
// the photo's, minimising ‖Φ(x)−Φ0‖²/‖Φ0‖² + λα·N_α(x) + λTV·N_TV(x) with the paper's normalised priors
// N_α = Σ|x|^α / (H·W·B^α) and N_TV = Σ TV^β / (H·W·B_V^β) on the mean-subtracted 0..255 image
// (α = 6, β = 2, B = 80, B_V = B/6.5). Several layers give a strip, shallow → deep, in one run.
import type { ModelMeta } from '../../api/contract';
import { clampPixels, validRange } from '../../optim/image-ops';
import { seededRng } from '../../optim/rng';
import { meanSquare } from '../create-shared/gram';
import { createModel, defaultInversionLayers, fixedSize, fixedSizeNote, layer, type CreateModel } from '../create-shared/model';
import { activations, evaluator, session } from '../create-shared/net';
import { minimise } from '../create-shared/optim';
import type { CreateResult, InvertParams } from '../create-shared/params';
import { dims, imgToRgb, loadRgb, noiseImg, rgbPng, rgbToImg, type Img } from '../create-shared/pixels';
import { Tracker, type Reporter } from '../create-shared/progress';
import { alphaPrior, tvPrior } from '../create-shared/regularisers';
import { finish } from '../create-shared/result';

export const B = 80;
export const BV = B / 6.5;

/** λTV by depth, read from the layer's stride: the paper's ×10 steps (conv1–2 / conv3–4 / conv5+), scaled (see params). */
export function defaultLambdaTV(stride: number): number {
  return stride <= 2 ? 0.005 : stride <= 8 ? 0.05 : 0.5;
}

export async function invert(meta: ModelMeta, p: InvertParams, r: Reporter): Promise<CreateResult> {
  const cm = createModel(meta);
  const names = p.layers.length > 0 ? p.layers : defaultInversionLayers(cm);
  // A network that takes one size only (ViT) inverts at that size.
  const fixed = fixedSize(
    cm,
    names.map((n) => layer(cm, n).tensor),
  );
  const photo = rgbToImg(await loadRgb(p.image.name, p.image.bytes, fixed ?? p.size, 8, fixed ? 'cover' : 'fill'), cm.pre);
  const track = new Tracker(r, p.steps * names.length, cm.pre, { previewEvery: p.previewEvery, frames: p.timelapse });
  const rng = seededRng(p.seed);
  const parts: CreateResult['parts'] = {};
  const strip: NonNullable<CreateResult['strip']> = [];
  const rgbs: Uint8Array[] = [];
  for (const name of names) {
    const x = await invertOne(cm, p, name, photo, rng.normal, track, parts);
    const rgb = imgToRgb(x, cm.pre);
    rgbs.push(rgb);
    strip.push({ layer: name, bytes: new Uint8Array(await rgbPng(rgb, x.width, x.height)) });
  }
  const { rgb, width } = montage(rgbs, photo.width, photo.height);
  return finish({
    tool: 'invert',
    rgb,
    width,
    height: photo.height,
    track,
    format: p.format,
    exportSize: p.exportSize,
    timelapse: p.timelapse,
    parts,
    strip: names.length > 1 ? strip : undefined,
    notes: fixed ? [fixedSizeNote(cm, fixed, 'the image was')] : [],
    prov: {
      technique: 'invert',
      method: 'mahendran-vedaldi',
      meta,
      sha256: cm.sha256,
      layers: names,
      seed: p.seed,
      source: p.image.name,
      parameters: {
        size: p.size,
        steps: p.steps,
        optimiser: p.optimiser,
        alpha: p.alpha,
        beta: p.beta,
        lambdaAlpha: p.lambdaAlpha,
        lambdaTV: p.lambdaTV ?? 'by depth',
        B,
        BV,
      },
    },
  });
}

async function invertOne(
  cm: CreateModel,
  p: InvertParams,
  name: string,
  photo: Img,
  normal: () => number,
  track: Tracker,
  parts: CreateResult['parts'],
): Promise<Img> {
  const info = layer(cm, name);
  const t = info.tensor;
  const phi0 = (await activations(cm, [t], photo))[t];
  // content is mean((Φ−Φ0)²): × N / ‖Φ0‖² turns it into the paper's ‖Φ−Φ0‖² / ‖Φ0‖².
  const s = await session(cm, [{ objective: { kind: 'content', tensor: t }, weight: 1 / meanSquare(phi0) }], photo);
  const hw = photo.width * photo.height;
  const wa = p.lambdaAlpha / (hw * Math.pow(B, p.alpha));
  const wtv = (p.lambdaTV ?? defaultLambdaTV(info.stride)) / (hw * Math.pow(BV, p.beta));
  const x = noiseImg(photo.width, photo.height, cm.pre, normal, 8);
  const f = evaluator(
    s,
    x,
    { [`target:${t}`]: phi0 },
    { alpha: (img, g) => alphaPrior(img, cm.pre, p.alpha, wa, g), tv: (img, g) => tvPrior(img, cm.pre, p.beta, wtv, g) },
    track,
  );
  const range = validRange(cm.pre.scale, cm.pre.mean, cm.pre.std);
  let start = NaN;
  let end = NaN;
  await minimise(f, x.data, {
    method: p.optimiser,
    steps: p.steps,
    lr: p.learningRate * (cm.pre.scale / cm.pre.std[0]),
    project: (v) => clampPixels(v, dims(x), range),
    onStart: (loss) => {
      start = loss;
      track.start(loss);
    },
    onStep: (k, data, loss) => {
      end = loss;
      track.done(loss, { ...x, data }, {}, `${name}: step ${k} / ${p.steps}`);
    },
  });
  // L-BFGS may stop early when it converges: keep the progress honest for the next layer.
  while (track.step % p.steps !== 0) track.step++;
  parts[name] = { start, end };
  return x;
}

/** Side by side with a 4-pixel white gap. */
function montage(rgbs: Uint8Array[], w: number, h: number): { rgb: Uint8Array; width: number } {
  if (rgbs.length === 1) return { rgb: rgbs[0], width: w };
  const gap = 4;
  const width = rgbs.length * w + (rgbs.length - 1) * gap;
  const out = new Uint8Array(width * h * 3).fill(255);
  rgbs.forEach((src, i) => {
    for (let y = 0; y < h; y++) out.set(src.subarray(y * w * 3, (y + 1) * w * 3), (y * width + i * (w + gap)) * 3);
  });
  return { rgb: out, width };
}
