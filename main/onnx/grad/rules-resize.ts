// Backward rule of Resize (nearest, linear, cubic) on NCHW tensors. Every mode resizes each spatial axis
// on its own, so Y = Mh·X·Mwᵀ per plane with Mh [outH, inH] and Mw [outW, inW], and δX = Mhᵀ·δY·Mw. The
// matrices are not worked out here: they are the same Resize applied to an identity matrix (column j of
// Resize(I) along an axis is the interpolation of e_j), so every coordinate mode, rounding rule and cubic
// coefficient the forward op uses is reproduced exactly, at any (runtime) size.
import { attrString, floatTensor } from '../ir.js';
import { gy0, unsupported, type Rule, type RuleCtx, type RuleTable } from './context.js';

/** Mk [1, 1, out_k, in_k] for spatial axis k (2 or 3) of the node's input. */
function axisMatrix(c: RuleCtx, axis: number, scales: number[] | null): string {
  const { b, node } = c;
  const [x, , , sizesIn] = node.inputs;
  const n = b.shape(x, axis, axis + 1);
  const square = b.concatI([b.constI64([1, 1]), n, n]);
  const zeros = b.op('ConstantOfShape', [b.concatI([n, n])], { value: { type: 'tensor', value: floatTensor('v', [1], [0], b.elemType) } });
  const eye = b.reshape(b.op('EyeLike', [zeros], {}, 'eye'), square);
  const attrs = { ...node.attrs };
  const empty = '';
  if (scales) return b.op('Resize', [eye, empty, b.constF([1, 1, scales[axis], 1]), empty].slice(0, 3), attrs, 'resize_m');
  if (!sizesIn) throw unsupported(node, 'neither scales nor sizes given');
  const sizes = b.concatI([b.constI64([1, 1]), b.shape(node.outputs[0], axis, axis + 1), n]);
  return b.op('Resize', [eye, empty, empty, sizes], attrs, 'resize_m');
}

const resize: Rule = (c) => {
  const { b, node } = c;
  const [x, , scalesIn] = node.inputs;
  const out: (string | null)[] = node.inputs.map(() => null);
  if (!c.needs[0]) return out;
  if (c.shape(x).length !== 4) throw unsupported(node, 'backward implemented for 4-D (NCHW) inputs');
  if (node.attrs.axes) throw unsupported(node, 'the axes attribute');
  if (attrString(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw unsupported(node, 'keep_aspect_ratio_policy');
  if (attrString(node, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize')
    throw unsupported(node, 'tf_crop_and_resize');
  let scales: number[] | null = null;
  if (scalesIn) {
    const v = c.cval(scalesIn);
    if (v && v.length === 4) scales = v;
    else if (!v || v.length !== 0) throw unsupported(node, 'scales must be a constant');
  }
  if (scales && (scales[0] !== 1 || scales[1] !== 1)) throw unsupported(node, 'resizing the batch or channel axis');
  const mh = axisMatrix(c, 2, scales);
  const mw = axisMatrix(c, 3, scales);
  const rows = b.op('MatMul', [b.transpose(mh, [0, 1, 3, 2]), gy0(c)], {}, 'resizeT_h');
  out[0] = b.op('MatMul', [rows, mw], {}, 'resizeT_w');
  return out;
};

export const resizeRules: RuleTable = { Resize: { backward: resize } };
