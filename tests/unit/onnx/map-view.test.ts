// Token sequences and channels-last maps seen as NCHW feature maps (main/onnx/map-view.ts): the layouts the
// graph tells, the layer listing's views and roles, a Gram matrix on a channels-last layer equal to the one
// of the same data in NCHW (and unequal when the layout is not detected), and input gradients of dream and
// style objectives through the views against finite differences.
import { afterAll, describe, expect, it } from 'vitest';
import { layouts, patchGrid } from '../../../main/onnx/map-view';
import { listLayers, resolveLayer, withInputSize, withMapViews, type LayerInfo } from '../../../main/onnx/layers';
import type { Objective } from '../../../main/onnx/loss';
import { GradRunner, type TensorOut } from '../../../main/onnx/runner';
import { inferShapes } from '../../../main/onnx/shapes';
import { topoSort } from '../../../main/onnx/validate';
import { gramOf } from '../../../main/techniques/create-shared/gram';
import { tinySwin, tinyVit } from '../../helpers/transformer-graphs';
import type { Model } from '../../../main/onnx/ir';

const runner = new GradRunner({ threads: 1, precision: 'exact' });
afterAll(() => runner.release());

const image = (seed: number) =>
  Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.37 + seed) + 0.3 * Math.cos(i * 0.011 * seed));
const dims = [1, 3, 32, 32];

/** [1, H, W, C] → [1, C, H, W]. */
function nhwcToNchw(t: TensorOut): TensorOut {
  const [, H, W, C] = t.dims;
  const out = new Float32Array(t.data.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[(c * H + y) * W + x] = t.data[(y * W + x) * C + c];
  return { data: out, dims: [1, C, H, W] };
}

const maxRelDiff = (a: Float32Array, b: Float32Array) => {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
};

describe('layouts and views', () => {
  it('follows NCHW and channels-last through Transpose, LayerNorm/MatMul blocks, a window reshape round trip and patch merging', () => {
    const { model, embed, blockOutputs, back } = tinySwin();
    const m = withInputSize(model).model;
    const lay = layouts(topoSort(m.graph), inferShapes(m), 'x');
    expect(lay.get(embed)).toBe('nchw');
    expect(blockOutputs.map((t) => lay.get(t))).toEqual(['nhwc', 'nhwc', 'nhwc']);
    expect(lay.get(back)).toBe('nchw');
  });

  it('lists channels-last layers with their NCHW view shape and takes style layers from them', () => {
    const { model, blockOutputs } = tinySwin();
    const layers = listLayers(model);
    const at = (t: string) => layers.find((l) => l.tensor === t)!;
    expect(at(blockOutputs[0]).view).toMatchObject({ kind: 'channels-last', shape: [1, 8, 8, 8] });
    expect(at(blockOutputs[2]).shape).toEqual([1, 4, 4, 16]);
    expect(at(blockOutputs[2]).view?.shape).toEqual([1, 16, 4, 4]);
    // The stages are told apart by the view's H (8 then 4), not by the channels-last W.
    expect(layers.filter((l) => l.roles.includes('style')).map((l) => l.name)).toContain('stage1');
  });

  it('sees ViT tokens on the 4×4 patch grid with the class token dropped; attention scores are no map', () => {
    const { model, blockOutputs, patches, scores } = tinyVit();
    const m = withInputSize(model).model;
    const shapes = inferShapes(m);
    expect(patchGrid(m, blockOutputs[0], shapes)).toMatchObject({ grid: [4, 4], skip: 1 });
    expect(patchGrid(m, patches, shapes)).toMatchObject({ grid: [4, 4], skip: 0 });
    const layers = listLayers(model);
    const at = (t: string) => layers.find((l) => l.tensor === t)!;
    expect(at(blockOutputs[3]).view).toMatchObject({ kind: 'tokens', shape: [1, 16, 4, 4] });
    expect(at(scores).view).toBeUndefined();
    expect(layers.filter((l) => l.roles.length > 0 && l.view === undefined && l.shape.length !== 2).map((l) => l.tensor)).toEqual([
      layers.find((l) => l.roles.includes('cam'))!.tensor,
    ]);
    // One resolution throughout: style from five block outputs, content from one, all tokens.
    const style = layers.filter((l) => l.roles.includes('style'));
    expect(style).toHaveLength(5);
    expect(style.every((l) => blockOutputs.includes(l.tensor))).toBe(true);
    expect(layers.filter((l) => l.roles.includes('content')).map((l) => l.tensor)).toEqual([blockOutputs[3]]);
    expect(layers.some((l) => l.roles.includes('dream') && l.view?.kind === 'tokens')).toBe(true);
  });
});

describe('Gram matrices on channels-last layers', () => {
  /** The Gram matrix the create tools take at `tensor`, resolved through the listing as they resolve it. */
  async function gramAt(model: Model, layers: LayerInfo[], tensor: string, x: Float32Array): Promise<TensorOut> {
    const viewed = withMapViews(model, layers);
    const t = resolveLayer(viewed.layers, tensor)!.tensor;
    return (await runner.forward(viewed.model, { grams: [t] }, [{ data: x, dims }]))[0][`gram:${t}`];
  }

  it('equals the Gram matrix of the same data in NCHW; without the layout detection it does not', async () => {
    const { model, blockOutputs } = tinySwin();
    const x = image(1);
    const layers = listLayers(model);
    for (const t of blockOutputs) {
      const raw = (await runner.taps(model, [t], x, dims))[t];
      const want = gramOf(nhwcToNchw(raw));
      const got = await gramAt(model, layers, t, x);
      expect(got.dims).toEqual(want.dims);
      expect(maxRelDiff(got.data, want.data), t).toBeLessThan(1e-5);
      // A broken detection (the layer taken as NCHW, as before) gives a C×C matrix of the wrong axis.
      const blind = await gramAt(
        model,
        layers.map(({ view: _view, ...l }) => l),
        t,
        x,
      );
      expect(blind.dims.join() === want.dims.join() && maxRelDiff(blind.data, want.data) < 1e-2, t).toBe(false);
    }
  });
});

describe('gradients through the views', () => {
  /**
   * Central differences of the loss along the gradient and along two fixed directions, against the gradient's
   * projection; the error is measured against ‖g‖·‖d‖ (the float32 network rounds the loss at ~1e-7, and a
   * loss behind LayerNorm changes little along most directions: relative to the projection alone it is noise).
   */
  async function checkGradient(model: Model, objective: Objective, targets: Record<string, TensorOut> = {}): Promise<number> {
    const spec = { objectives: [{ objective, weight: 1 }], winograd: false, doubleLoss: objective.kind === 'meansq' };
    const x = image(2);
    const g = (await runner.gradient(model, spec, x, dims, targets)).grad;
    const loss = async (v: Float32Array) => (await runner.gradient(model, spec, v, dims, targets)).loss;
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    const unit = (v: Float32Array) => v.map((e) => (e * Math.sqrt(v.length)) / norm(v));
    let worst = 0;
    for (const dir of [unit(g), unit(x.map((_, i) => Math.sin(i * 0.7))), unit(x.map((_, i) => Math.cos(i * 1.9 + 1)))]) {
      const h = 1e-3;
      const fd = ((await loss(x.map((v, i) => v + h * dir[i]))) - (await loss(x.map((v, i) => v - h * dir[i])))) / (2 * h);
      let ad = 0;
      for (let i = 0; i < x.length; i++) ad += g[i] * dir[i];
      worst = Math.max(worst, Math.abs(ad - fd) / (norm(g) * norm(dir)));
    }
    expect(norm(g)).toBeGreaterThan(0);
    return worst;
  }

  it('dream (mean square) and style (Gram) on ViT tokens and on a channels-last Swin map agree with finite differences', async () => {
    const vit = tinyVit();
    const swin = tinySwin();
    for (const [net, tensor] of [
      [vit.model, vit.blockOutputs[3]],
      [swin.model, swin.blockOutputs[1]],
    ] as const) {
      const viewed = withMapViews(net, listLayers(net));
      const t = resolveLayer(viewed.layers, tensor)!.tensor;
      expect(t.startsWith('map:')).toBe(true);
      expect(await checkGradient(viewed.model, { kind: 'meansq', tensor: t })).toBeLessThan(2e-3);
      const target = (await runner.forward(viewed.model, { grams: [t] }, [{ data: image(5), dims }]))[0][`gram:${t}`];
      expect(await checkGradient(viewed.model, { kind: 'style', tensor: t }, { [`gram:${t}`]: target })).toBeLessThan(2e-3);
    }
  }, 60_000);
});
