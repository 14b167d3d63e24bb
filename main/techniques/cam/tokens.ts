// CAM on vision transformers (ViT, DeiT-style heads): the feature "map" is a token sequence [N, T, C].
// pytorch-grad-cam asks its user for a reshape_transform; here the patch grid is read from the graph (the
// patch-embedding conv's output size; T − h·w leading tokens are class/distillation tokens, dropped) and
// the model gets a spatial view of the tokens, [N, C, h, w], that the rest of the network reads through,
// so the usual cut, forward and head gradient work on it unchanged.
import { aInt, aInts, attrInt, attrInts, cloneModel, int64Tensor, type Model, type Node } from '../../onnx/ir';
import { addMapView, type TokenGrid } from '../../onnx/map-view';
import type { ShapeMap } from '../../onnx/shapes';
import { topoSort } from '../../onnx/validate';
import type { GraphIndex } from '../shared/graph-index';

// The patch grid is found where the create tools find it too (their token layers are the same view).
export { patchGrid, type TokenGrid } from '../../onnx/map-view';

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

/**
 * Adds A = tokens[:, skip:] as [N, C, h, w] and makes every reader of `tokens` read the sequence rebuilt
 * from A (the leading tokens spliced back), so the scores depend on the tokens only through A.
 */
export function spatialView(model: Model, tokens: string, tg: TokenGrid): Model {
  const m = cloneModel(model);
  const g = m.graph;
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
  const readers = g.nodes.filter((n) => n.inputs.includes(tokens));
  // A = the tokens as [N, C, h, w] (nodes cam_patches, cam_grid, cam_map), then the sequence rebuilt from A.
  addMapView(g, { kind: 'tokens', tensor: tokens, grid: tg }, TOKEN_MAP, 'cam');
  const added: Node[] = [];
  added.push(node('back_nhwc', 'Transpose', [TOKEN_MAP], { perm: aInts([0, 2, 3, 1]) }));
  added.push(node('back_seq', 'Reshape', ['cam:back_nhwc', c('cam:nlc', [0, h * w, -1])]));
  let rebuilt = 'cam:back_seq';
  if (tg.skip > 0) {
    added.push(node('lead', 'Slice', [tokens, c('cam:zero', [0]), 'cam:skip', 'cam:axis1']));
    added.push(node('tokens', 'Concat', ['cam:lead', 'cam:back_seq'], { axis: aInt(1) }));
    rebuilt = 'cam:tokens';
  }
  for (const n of readers) n.inputs = n.inputs.map((i) => (i === tokens ? rebuilt : i));
  g.nodes.push(...added);
  g.valueInfo.clear();
  return m;
}
