// CAM on vision transformers (ViT, DeiT-style heads): the feature "map" is a token sequence [N, T, C].
// pytorch-grad-cam asks its user for a reshape_transform; here the patch grid is read from the graph (the
// patch-embedding conv's output size; T − h·w leading tokens are class/distillation tokens, dropped) and
// the model gets a spatial view of the tokens, [N, C, h, w], that the rest of the network reads through,
// so the usual cut, forward and head gradient work on it unchanged.
import { StudioError } from '../../api/contract';
import { INT64_MAX } from '../../onnx/builder';
import { aInt, aInts, attrInt, attrInts, cloneModel, int64Tensor, realInputs, type Model, type Node } from '../../onnx/ir';
import type { ShapeMap } from '../../onnx/shapes';
import { topoSort } from '../../onnx/validate';
import type { GraphIndex } from '../shared/graph-index';

export interface TokenGrid {
  /** Patch grid [h, w]. */
  grid: [number, number];
  /** Leading tokens that are not patches (class, distillation). */
  skip: number;
  /** How the grid was found, in words. */
  how: string;
}

/** Name of the spatial view spatialView adds. */
export const TOKEN_MAP = 'cam:tokens_as_map';

const dims = (shapes: ShapeMap, t: string) => shapes.get(t)?.shape ?? [];

/** A node that reads the class token(s) or pools the tokens, from a [N, T, C] sequence. */
export function tokenReadout(n: Node, idx: GraphIndex, shapes: ShapeMap): string | null {
  const x = n.inputs[0];
  if (dims(shapes, x).length !== 3) return null;
  const axis = attrInt(n, 'axis', 0);
  if (n.opType === 'Gather' && (axis === 1 || axis === -2) && idx.isConst(n.inputs[1])) return x;
  if (n.opType === 'Slice') return x;
  if (n.opType === 'ReduceMean' && (attrInts(n, 'axes') ?? []).every((a) => a === 1 || a === -2)) return x;
  return null;
}

/**
 * The token tensor to explain. A head that pools every token reads `tokens` itself; a class-token head
 * reads only token 0 at the end, so the gradient there is zero elsewhere: the target is then the output
 * of the last LayerNormalization before the last attention Softmax (the last block's norm1, which
 * pytorch-grad-cam recommends for ViT), where every token still reaches the class token.
 */
export function tokenTarget(model: Model, readout: Node, tokens: string, shapes: ShapeMap): { tensor: string; why: string } {
  if (readout.opType === 'ReduceMean') return { tensor: tokens, why: `the tokens ${readout.opType} "${readout.name}" averages` };
  const order = topoSort(model.graph);
  const T = dims(shapes, tokens)[1];
  const end = order.findIndex((n) => n.outputs.includes(tokens));
  let lastSoftmax = -1;
  for (let i = 0; i <= end; i++) if (order[i].opType === 'Softmax') lastSoftmax = i;
  for (let i = lastSoftmax - 1; i >= 0; i--) {
    const n = order[i];
    const s = dims(shapes, n.outputs[0]);
    if (n.opType === 'LayerNormalization' && s.length === 3 && s[1] === T)
      return {
        tensor: n.outputs[0],
        why: `LayerNormalization "${n.name}" before the last attention (Softmax "${order[lastSoftmax].name}")`,
      };
  }
  return { tensor: tokens, why: `the tokens "${readout.name}" reads` };
}

/** The patch grid of a token tensor: the patch-embedding conv (first conv from the image, stride = kernel). */
export function patchGrid(model: Model, tokens: string, shapes: ShapeMap): TokenGrid | null {
  const input = realInputs(model.graph)[0]?.name;
  const T = dims(shapes, tokens)[1];
  if (typeof T !== 'number' || !input) return null;
  for (const n of topoSort(model.graph)) {
    if (n.opType !== 'Conv') continue;
    const k = attrInts(n, 'kernel_shape') ?? (dims(shapes, n.inputs[1]).slice(2) as number[]);
    const s = attrInts(n, 'strides') ?? [1, 1];
    const out = dims(shapes, n.outputs[0]);
    if (out.length !== 4 || typeof out[2] !== 'number' || typeof out[3] !== 'number') return null;
    if (!(s[0] > 1 && s[0] === k[0] && s[1] === k[1])) return null;
    const [h, w] = [out[2], out[3]];
    const skip = T - h * w;
    if (skip < 0 || skip > 8) return null;
    const extra = skip === 0 ? '' : `, ${skip} leading ${skip === 1 ? 'token' : 'tokens'} (class) dropped`;
    return { grid: [h, w], skip, how: `${h}×${w} patch grid of Conv "${n.name}" (stride ${s[0]}; ${T} tokens${extra})` };
  }
  return null;
}

/**
 * Adds A = tokens[:, skip:] as [N, C, h, w] and makes every reader of `tokens` read the sequence rebuilt
 * from A (the leading tokens spliced back), so the scores depend on the tokens only through A.
 */
export function spatialView(model: Model, tokens: string, tg: TokenGrid): Model {
  const m = cloneModel(model);
  const g = m.graph;
  if (!g.nodes.some((n) => n.outputs.includes(tokens))) throw new StudioError('bad_request', `no tensor named "${tokens}" in the model`);
  const [h, w] = tg.grid;
  const c = (name: string, vals: number[]) => {
    g.initializers.set(name, int64Tensor(name, [vals.length], vals));
    return name;
  };
  const node = (name: string, opType: string, inputs: string[], attrs: Node['attrs'] = {}): Node => ({
    name: `cam_${name}`,
    opType,
    domain: '',
    inputs,
    outputs: [`cam:${name}`],
    attrs,
  });
  const added: Node[] = [];
  let patches = tokens;
  if (tg.skip > 0) {
    added.push(node('patches', 'Slice', [tokens, c('cam:skip', [tg.skip]), c('cam:end', [INT64_MAX]), c('cam:axis1', [1])]));
    patches = 'cam:patches';
  }
  added.push(node('grid', 'Reshape', [patches, c('cam:nhwc', [0, h, w, -1])]));
  added.push({ ...node('map', 'Transpose', ['cam:grid'], { perm: aInts([0, 3, 1, 2]) }), outputs: [TOKEN_MAP] });
  added.push(node('back_nhwc', 'Transpose', [TOKEN_MAP], { perm: aInts([0, 2, 3, 1]) }));
  added.push(node('back_seq', 'Reshape', ['cam:back_nhwc', c('cam:nlc', [0, h * w, -1])]));
  let rebuilt = 'cam:back_seq';
  if (tg.skip > 0) {
    added.push(node('lead', 'Slice', [tokens, c('cam:zero', [0]), 'cam:skip', 'cam:axis1']));
    added.push(node('tokens', 'Concat', ['cam:lead', 'cam:back_seq'], { axis: aInt(1) }));
    rebuilt = 'cam:tokens';
  }
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === tokens ? rebuilt : i));
  g.nodes.push(...added);
  g.valueInfo.clear();
  return m;
}
