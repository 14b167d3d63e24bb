// Feature maps that are not NCHW, seen as NCHW: a vision transformer's token sequence [N, T, C] on its patch
// grid (ViT), and channels-last maps [N, H, W, C] (Swin, ConvNeXt's blocks). The patch grid is read from the
// graph (the patch-embedding conv's output size; T − h·w leading tokens are class/distillation tokens), the
// layout of every 4-D tensor is followed from the NCHW image through the ops. The view is a few graph nodes
// (Slice, Reshape, Transpose) beside the tensor, so objectives on it are differentiated like any other.
import { StudioError } from '../api/contract.js';
import { INT64_MAX } from './builder.js';
import { aInts, attrInts, int64Tensor, realInputs, type Dim, type Graph, type Model, type Node } from './ir.js';
import type { ShapeMap } from './shapes.js';
import { topoSort } from './validate.js';

export interface TokenGrid {
  /** Patch grid [h, w]. */
  grid: [number, number];
  /** Leading tokens that are not patches (class, distillation). */
  skip: number;
  /** How the grid was found, in words. */
  how: string;
}

export interface MapView {
  /** 'tokens': [N, T, C] on the patch grid; 'channels-last': [N, H, W, C]. */
  kind: 'tokens' | 'channels-last';
  /** The tensor the view reads (the layer's own tensor). */
  tensor: string;
  /** The view's shape, [N, C, H, W]. */
  shape: Dim[];
  /** Tokens only: the patch grid and the leading tokens dropped. */
  grid?: TokenGrid;
  /** Why the tensor is seen this way, in words. */
  how: string;
}

const dims = (shapes: ShapeMap, t: string) => shapes.get(t)?.shape ?? [];

/** The patch embedding: the first conv from the image, when its stride equals its kernel (ViT, Swin). */
export function patchEmbedding(
  model: Model,
  shapes: ShapeMap,
  order = topoSort(model.graph),
): { conv: Node; grid: [number, number] } | null {
  for (const n of order) {
    if (n.opType !== 'Conv') continue;
    const k = attrInts(n, 'kernel_shape') ?? (dims(shapes, n.inputs[1]).slice(2) as number[]);
    const s = attrInts(n, 'strides') ?? [1, 1];
    const out = dims(shapes, n.outputs[0]);
    if (out.length !== 4 || typeof out[2] !== 'number' || typeof out[3] !== 'number') return null;
    if (!(s[0] > 1 && s[0] === k[0] && s[1] === k[1])) return null;
    return { conv: n, grid: [out[2], out[3]] };
  }
  return null;
}

/**
 * The patch grid of a token tensor [N, T, C] (N the image's batch: attention's [heads, T, d] is no sequence
 * of patches), from the patch-embedding conv; null when its tokens are not the patches plus a few leading ones.
 */
export function patchGrid(model: Model, tokens: string, shapes: ShapeMap, embed = patchEmbedding(model, shapes)): TokenGrid | null {
  const input = realInputs(model.graph)[0]?.name;
  const d = dims(shapes, tokens);
  const T = d[1];
  if (d.length !== 3 || typeof T !== 'number' || !input || !embed) return null;
  if (d[0] !== dims(shapes, input)[0]) return null;
  const [h, w] = embed.grid;
  const skip = T - h * w;
  if (skip < 0 || skip > 8) return null;
  const s = attrInts(embed.conv, 'strides') ?? [1, 1];
  const extra = skip === 0 ? '' : `, ${skip} leading ${skip === 1 ? 'token' : 'tokens'} (class) dropped`;
  return { grid: [h, w], skip, how: `${h}×${w} patch grid of Conv "${embed.conv.name}" (stride ${s[0]}; ${T} tokens${extra})` };
}

export type Layout = 'nchw' | 'nhwc';

/** Ops whose output is NCHW whatever their input (they have a channel axis 1 or windows over axes 2, 3). */
const CHANNEL_FIRST = new Set([
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'BatchNormalization',
  'InstanceNormalization',
  'LRN',
]);
const RESHAPING = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** A layout after Transpose(perm), or undefined when the result is neither NCHW nor NHWC. */
function permuted(l: Layout, perm: number[]): Layout | undefined {
  const letters = l === 'nchw' ? 'NCHW' : 'NHWC';
  const out = perm.map((i) => letters[i]).join('');
  return out === 'NCHW' ? 'nchw' : out === 'NHWC' ? 'nhwc' : undefined;
}

const same = (a: Dim[], b: Dim[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The layout of the 4-D tensors computed from the image, where the graph tells it: the image is NCHW, a
 * Transpose permutes the axes' meaning, windowed and channel-axis ops give NCHW, other ops keep their 4-D
 * input's layout, and a reshape back to the shape (or, for NCHW, the H×W) of the last 4-D tensor of known
 * layout it came from gets that layout (ShuffleNet's channel shuffle, Swin's window merge). 4-D tensors
 * left out (attention scores [windows, heads, T, T]) are no feature maps.
 */
export function layouts(order: Node[], shapes: ShapeMap, input: string): Map<string, Layout> {
  const out = new Map<string, Layout>([[input, 'nchw']]);
  /** The last 4-D tensor of known layout each tensor comes from (through its first such input). */
  const origin = new Map<string, string>([[input, input]]);
  for (const n of order) {
    const from = n.inputs.find((i) => origin.has(i));
    if (!from) continue;
    const known = n.inputs.find((i) => out.has(i) && dims(shapes, i).length === 4);
    for (const y of n.outputs) {
      if (!y) continue;
      const s = dims(shapes, y);
      let l: Layout | undefined;
      if (s.length === 4) {
        if (CHANNEL_FIRST.has(n.opType)) l = 'nchw';
        else if (n.opType === 'Transpose') l = known ? permuted(out.get(known)!, attrInts(n, 'perm') ?? [3, 2, 1, 0]) : undefined;
        else if (RESHAPING.has(n.opType)) {
          const o = origin.get(from)!;
          const os = dims(shapes, o);
          const ol = out.get(o)!;
          if (same(s, os) || (ol === 'nchw' && same(s.slice(2), os.slice(2)))) l = ol;
        } else if (known) l = out.get(known);
      }
      if (l) {
        out.set(y, l);
        origin.set(y, y);
      } else origin.set(y, origin.get(from)!);
    }
  }
  return out;
}

/**
 * Views for the tensors that are feature maps in another layout: channels-last 4-D tensors and token
 * sequences on the patch grid. `candidates` are the tensors to look at.
 */
export function mapViews(
  model: Model,
  shapes: ShapeMap,
  order: Node[],
  candidates: string[],
  lay = layouts(order, shapes, realInputs(model.graph)[0]?.name ?? ''),
): Map<string, MapView> {
  const views = new Map<string, MapView>();
  const embed = patchEmbedding(model, shapes, order);
  for (const t of candidates) {
    const s = dims(shapes, t);
    if (s.length === 4 && lay.get(t) === 'nhwc')
      views.set(t, {
        kind: 'channels-last',
        tensor: t,
        shape: [s[0], s[3], s[1], s[2]],
        how: `channels last ([N, H, W, C]): a Transpose after the NCHW image makes it so`,
      });
    else if (s.length === 3) {
      const grid = patchGrid(model, t, shapes, embed);
      if (grid) views.set(t, { kind: 'tokens', tensor: t, shape: [s[0], s[2], ...grid.grid], grid, how: `tokens on the ${grid.how}` });
    }
  }
  return views;
}

/** The layout of a tensor for the layer listing: NCHW, or a view, or neither (not a feature map). */
export function isMap(t: string, lay: Map<string, Layout>, views: Map<string, MapView>): boolean {
  return lay.get(t) === 'nchw' || views.has(t);
}

/**
 * Appends the nodes computing `out` = the view as [N, C, H, W] (tokens: the leading ones sliced off, the rest
 * reshaped to [N, h, w, C] and transposed; channels-last: transposed). `prefix` keeps node and constant names apart.
 */
export function addMapView(g: Graph, view: Pick<MapView, 'kind' | 'tensor' | 'grid'>, out: string, prefix: string): Node[] {
  if (!g.nodes.some((n) => n.outputs.includes(view.tensor)))
    throw new StudioError('bad_request', `no tensor named "${view.tensor}" in the model`);
  const c = (name: string, vals: number[]) => {
    const full = `${prefix}:${name}`;
    g.initializers.set(full, int64Tensor(full, [vals.length], vals));
    return full;
  };
  const node = (name: string, opType: string, inputs: string[], attrs: Node['attrs'] = {}, output = `${prefix}:${name}`): Node => ({
    name: `${prefix}_${name}`,
    opType,
    domain: '',
    inputs,
    outputs: [output],
    attrs,
  });
  const added: Node[] = [];
  let nhwc = view.tensor;
  if (view.kind === 'tokens') {
    const tg = view.grid!;
    let patches = view.tensor;
    if (tg.skip > 0) {
      added.push(node('patches', 'Slice', [view.tensor, c('skip', [tg.skip]), c('end', [INT64_MAX]), c('axis1', [1])]));
      patches = `${prefix}:patches`;
    }
    added.push(node('grid', 'Reshape', [patches, c('nhwc', [0, tg.grid[0], tg.grid[1], -1])]));
    nhwc = `${prefix}:grid`;
  }
  added.push(node('map', 'Transpose', [nhwc], { perm: aInts([0, 3, 1, 2]) }, out));
  g.nodes.push(...added);
  return added;
}

/** The view's tensor name in a model withMapViews made. */
export const mapTensor = (t: string) => `map:${t}`;
