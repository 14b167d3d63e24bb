// Shape inference, static and symbolic: a dimension is a number or a symbol string ('N', 'H', or a
// derived expression like 'pool(H,3,2,1,1)'). The differentiator needs ranks and which dims are 1
// (for broadcasting); symbols only have to be consistent, never evaluated.
import { StudioError } from '../api/contract.js';
import { attrInt, attrInts, attrTensor, DT, numel, tensorNumbers, type Dim, type Model, type Node } from './ir.js';
import { validateModel } from './validate.js';
import {
  broadcastShapes,
  constantTensors,
  dimAdd,
  dimMul,
  isStatic,
  normAxis,
  scaleDim,
  sliceLen,
  spatialOut,
  spatialPads,
} from './shape-dims.js';

export { broadcastShapes, constantTensors, isStatic, sliceLen, spatialPads };
import { shapeValue } from './shape-values.js';
import { letterDims, parseEinsum } from './grad/einsum-spec.js';

export interface TypedShape {
  elemType: number;
  shape: Dim[];
}
export type ShapeMap = Map<string, TypedShape>;

const bad = (n: Node, msg: string) => new StudioError('bad_model', `node "${n.name}" (${n.opType}): ${msg}`);

export interface InferOptions {
  /** Known shapes used where an op cannot be inferred (e.g. a Reshape to a runtime shape). */
  hints?: ShapeMap;
  /** Skip nodes that cannot be inferred instead of throwing (for graphs with helper ops appended). */
  lenient?: boolean;
}

/** Infers the shape of every tensor; graph inputs must have shapes. Returns names -> shapes. */
export function inferShapes(model: Model, opts: InferOptions = {}): ShapeMap {
  const g = model.graph;
  const order = validateModel(model);
  const consts = constantTensors(g);
  const map: ShapeMap = new Map(opts.hints ?? []);
  for (const [k, t] of g.initializers) map.set(k, { elemType: t.dataType, shape: [...t.dims] });
  for (const v of g.inputs) if (!map.has(v.name)) map.set(v.name, { elemType: v.elemType, shape: v.shape ? [...v.shape] : [] });
  const cval = (name: string): number[] | undefined => {
    const t = consts.get(name);
    return t ? tensorNumbers(t) : undefined;
  };
  // Values of shape-like int tensors (constants, Shape → Gather → Concat chains) for Reshape targets.
  const values = new Map<string, Dim[]>();
  const value = (name: string): Dim[] | undefined => values.get(name) ?? cval(name);
  for (const n of order) {
    const ins = n.inputs.map((i) => (i ? map.get(i) : undefined));
    if (n.opType !== 'Constant') {
      const sv = shapeValue(n, (name) => map.get(name)?.shape, value);
      if (sv) values.set(n.outputs[0], sv);
    }
    try {
      const outs = inferNode(n, ins, value, model);
      n.outputs.forEach((o, i) => o && outs[i] && !opts.hints?.has(o) && map.set(o, outs[i]));
    } catch (e) {
      if (opts.lenient) continue;
      if (e instanceof StudioError) throw e;
      throw bad(n, `shape inference failed: ${(e as Error).message}`);
    }
  }
  return map;
}

function inferNode(n: Node, ins: (TypedShape | undefined)[], value: (name: string) => Dim[] | undefined, model: Model): TypedShape[] {
  const x = ins[0];
  const need = (i: number): TypedShape => {
    const s = ins[i];
    if (!s) throw bad(n, `input ${i} has no known shape`);
    return s;
  };
  const same = (): TypedShape[] => [{ elemType: need(0).elemType, shape: [...need(0).shape] }];
  const et = x?.elemType ?? DT.FLOAT;
  const sliceInput = (i: number, what: string): Dim[] => {
    const v = n.inputs[i] ? value(n.inputs[i]) : undefined;
    if (!v) throw bad(n, `${what} must be a constant or computed from shapes`);
    return v;
  };
  const cvalF = (name: string): number[] | undefined => {
    const v = value(name);
    return v && v.every((d): d is number => typeof d === 'number') ? v : undefined;
  };
  const constInput = (i: number, what: string): number[] => {
    const v = n.inputs[i] ? value(n.inputs[i]) : undefined;
    if (!v || v.some((d) => typeof d !== 'number')) throw bad(n, `${what} must be a constant`);
    return v as number[];
  };
  switch (n.opType) {
    case 'Relu':
    case 'LeakyRelu':
    case 'Clip':
    case 'Sigmoid':
    case 'Tanh':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Identity':
    case 'Sqrt':
    case 'Abs':
    case 'Exp':
    case 'Log':
    case 'Neg':
    case 'Reciprocal':
    case 'Sign':
    case 'Elu':
    case 'Softplus':
    case 'HardSigmoid':
    case 'LRN':
    case 'Erf':
    case 'Gelu':
    case 'HardSwish':
    case 'Mish':
    case 'PRelu':
    case 'InstanceNormalization':
    case 'GroupNormalization':
    case 'Not':
    case 'ScatterND':
    case 'ScatterElements':
      return same();
    case 'LayerNormalization': {
      // Mean and InvStdDev: the leading axes, 1 over the normalised ones, in the stash type (float).
      const s = need(0).shape;
      const a = normAxis(attrInt(n, 'axis', -1), s.length);
      const stat = { elemType: attrInt(n, 'stash_type', 1) === 1 ? DT.FLOAT : et, shape: s.map((d, i) => (i < a ? d : 1)) };
      return [same()[0], stat, stat];
    }
    case 'Equal':
    case 'Greater':
    case 'Less':
    case 'GreaterOrEqual':
    case 'LessOrEqual':
    case 'And':
    case 'Or':
    case 'Xor':
      return [{ elemType: DT.BOOL, shape: broadcastShapes(need(0).shape, need(1).shape) }];
    case 'Where':
      return [{ elemType: need(1).elemType, shape: broadcastShapes(need(0).shape, broadcastShapes(need(1).shape, need(2).shape)) }];
    case 'Expand': {
      const target = n.inputs[1] ? value(n.inputs[1]) : undefined;
      const len = need(1).shape[0];
      if (!target && typeof len !== 'number') throw bad(n, 'Expand shape of unknown length');
      const t = target ?? Array.from({ length: len as number }, (_, i) => `${n.outputs[0]}[${i}]`);
      // A 1 in the target keeps the input's dim (Expand broadcasts both ways).
      return [{ elemType: et, shape: broadcastShapes(need(0).shape, t) }];
    }
    case 'ConstantOfShape': {
      const v = attrTensor(n, 'value');
      const target = value(n.inputs[0]);
      const len = need(0).shape[0];
      if (!target && typeof len !== 'number') throw bad(n, 'shape of unknown length');
      const shape = target ?? Array.from({ length: len as number }, (_, i) => `${n.outputs[0]}[${i}]`);
      return [{ elemType: v?.dataType ?? DT.FLOAT, shape }];
    }
    case 'Range': {
      const [st, li, de] = [0, 1, 2].map((i) => value(n.inputs[i])?.[0]);
      const len =
        typeof st === 'number' && typeof li === 'number' && typeof de === 'number' && de !== 0
          ? Math.max(0, Math.ceil((li - st) / de))
          : `range(${n.outputs[0]})`;
      return [{ elemType: et, shape: [len] }];
    }
    case 'GatherElements':
      return [{ elemType: et, shape: [...need(1).shape] }];
    case 'Einsum': {
      const shapes = n.inputs.map((_, i) => need(i).shape);
      const spec = parseEinsum(
        n,
        shapes.map((s) => s.length),
      );
      const dims = letterDims(spec, shapes);
      return [{ elemType: et, shape: [...spec.output].map((l) => dims.get(l) ?? 1) }];
    }
    case 'Resize': {
      const s = need(0).shape;
      const sizes = n.inputs[3] ? value(n.inputs[3]) : undefined;
      if (sizes && sizes.length === s.length) return [{ elemType: et, shape: [...sizes] }];
      const scales = n.inputs[2] ? cvalF(n.inputs[2]) : undefined;
      if (!scales || scales.length !== s.length) throw bad(n, 'Resize needs constant scales or sizes computed from shapes');
      return [{ elemType: et, shape: s.map((d, i) => scaleDim(d, scales[i])) }];
    }
    case 'BatchNormalization': {
      // Training mode's running mean and variance: [C].
      const stat = { elemType: et, shape: [need(0).shape[1]] };
      return [same()[0], stat, stat];
    }
    case 'Dropout':
      return [same()[0], { elemType: DT.BOOL, shape: [...need(0).shape] }];
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
    case 'Sum':
    case 'Max':
    case 'Min':
    case 'Mod': {
      let s = need(0).shape;
      for (let i = 1; i < n.inputs.length; i++) s = n.opType === 'Pow' ? s : broadcastShapes(s, need(i).shape);
      return [{ elemType: et, shape: s }];
    }
    case 'Conv': {
      const w = need(1).shape as number[];
      const kernel = attrInts(n, 'kernel_shape') ?? w.slice(2);
      return [{ elemType: et, shape: [need(0).shape[0], w[0], ...spatialOut(n, need(0).shape, kernel)] }];
    }
    case 'MaxPool':
    case 'AveragePool': {
      const kernel = attrInts(n, 'kernel_shape');
      if (!kernel) throw bad(n, 'kernel_shape missing');
      const s: Dim[] = [need(0).shape[0], need(0).shape[1], ...spatialOut(n, need(0).shape, kernel)];
      return [
        { elemType: et, shape: s },
        { elemType: DT.INT64, shape: [...s] },
      ];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const s = need(0).shape;
      return [{ elemType: et, shape: [s[0], s[1], ...s.slice(2).map(() => 1)] }];
    }
    case 'Flatten': {
      const s = need(0).shape;
      const ax = normAxis(attrInt(n, 'axis', 1), s.length);
      return [{ elemType: et, shape: [s.slice(0, ax).reduce(dimMul, 1), s.slice(ax).reduce(dimMul, 1)] }];
    }
    case 'Reshape': {
      const s = need(0).shape;
      const target = n.inputs[1] ? value(n.inputs[1]) : undefined;
      if (!target) throw bad(n, 'Reshape shape must be a constant or computed from shapes');
      const out: Dim[] = target.map((d, i) => (d === 0 && attrInt(n, 'allowzero', 0) === 0 ? s[i] : d));
      const neg = out.indexOf(-1);
      if (neg >= 0) {
        const rest = out.filter((_, i) => i !== neg);
        if (isStatic(s) && isStatic(rest)) out[neg] = numel(s) / numel(rest);
        else {
          // Cancel static factors and equal symbols; what remains is the inferred dim.
          const num = s.filter((d) => !rest.includes(d) || typeof d === 'number');
          const staticNum = numel(num.filter((d): d is number => typeof d === 'number'));
          const staticDen = numel(rest.filter((d): d is number => typeof d === 'number'));
          const syms = num.filter((d) => typeof d === 'string');
          out[neg] = syms.length === 0 ? staticNum / staticDen : `${syms.join('*')}*${staticNum}/${staticDen}`;
        }
      }
      return [{ elemType: et, shape: out }];
    }
    case 'Transpose': {
      const s = need(0).shape;
      const perm = attrInts(n, 'perm') ?? s.map((_, i) => s.length - 1 - i);
      return [{ elemType: et, shape: perm.map((p) => s[p]) }];
    }
    case 'Squeeze': {
      const s = need(0).shape;
      const axes = (n.inputs[1] ? constInput(1, 'Squeeze axes') : attrInts(n, 'axes'))?.map((a) => normAxis(a, s.length));
      return [{ elemType: et, shape: s.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)) }];
    }
    case 'Unsqueeze': {
      const s = [...need(0).shape];
      const raw = n.inputs[1] ? constInput(1, 'Unsqueeze axes') : (attrInts(n, 'axes') ?? []);
      const r = s.length + raw.length;
      for (const a of raw.map((a) => normAxis(a, r)).sort((a, b) => a - b)) s.splice(a, 0, 1);
      return [{ elemType: et, shape: s }];
    }
    case 'Concat': {
      const s = [...need(0).shape];
      const ax = normAxis(attrInt(n, 'axis', 0), s.length);
      for (let i = 1; i < n.inputs.length; i++) s[ax] = dimAdd(s[ax], need(i).shape[ax]);
      return [{ elemType: et, shape: s }];
    }
    case 'Split': {
      const s = need(0).shape;
      const ax = normAxis(attrInt(n, 'axis', 0), s.length);
      const sizes = n.inputs[1] ? constInput(1, 'Split sizes') : attrInts(n, 'split');
      return n.outputs.map((_, i) => {
        const o = [...s];
        o[ax] = sizes ? sizes[i] : typeof s[ax] === 'number' ? (s[ax] as number) / n.outputs.length : `${s[ax]}/${n.outputs.length}`;
        return { elemType: et, shape: o };
      });
    }
    case 'Slice': {
      const s = [...need(0).shape];
      const starts = sliceInput(1, 'Slice starts');
      const ends = sliceInput(2, 'Slice ends');
      const axes = n.inputs[3] ? constInput(3, 'Slice axes') : starts.map((_, i) => i);
      const steps = n.inputs[4] ? constInput(4, 'Slice steps') : starts.map(() => 1);
      axes.forEach((a0, i) => {
        const a = normAxis(a0, s.length);
        const d = s[a];
        const [st, en] = [starts[i], ends[i]];
        if (typeof st !== 'number' || typeof en !== 'number') {
          // x[:, :H] with H read from another tensor's shape (Swin crops its padding off): the end itself.
          s[a] = st === 0 && steps[i] === 1 && typeof en === 'string' ? en : `slice(${d},${st},${en},${steps[i]})`;
          return;
        }
        if (typeof d !== 'number') {
          // [0:INT_MAX] (x[:, 1:] style slices export their open end as a huge number) keeps the dim.
          s[a] = st === 0 && steps[i] === 1 && en >= 2 ** 31 - 1 ? d : `slice(${d},${st},${en},${steps[i]})`;
          return;
        }
        s[a] = sliceLen(d, st, en, steps[i]);
      });
      return [{ elemType: et, shape: s }];
    }
    case 'Pad': {
      // Pads may be computed from shapes (Swin pads to a multiple of its window): symbols then.
      const s = need(0).shape;
      const pads: Dim[] | undefined = n.inputs[1] ? value(n.inputs[1]) : attrInts(n, 'pads');
      const r = s.length;
      if (!pads) {
        if (!n.inputs[1]) return same();
        return [{ elemType: et, shape: s.map((d, i) => `pad(${d},${n.outputs[0]}[${i}])`) }];
      }
      return [{ elemType: et, shape: s.map((d, i) => dimAdd(dimAdd(d, pads[i]), pads[i + r])) }];
    }
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceSumSquare': {
      const s = need(0).shape;
      // Axes as an input: ReduceSum from opset 13, the others from 18.
      const opset13Inputs = !n.attrs.axes && (n.opType === 'ReduceSum' || n.inputs.length > 1);
      const axesRaw = opset13Inputs ? (n.inputs[1] ? constInput(1, 'axes') : undefined) : attrInts(n, 'axes');
      const noop = attrInt(n, 'noop_with_empty_axes', 0) === 1;
      if ((!axesRaw || axesRaw.length === 0) && noop) return same();
      const axes = (axesRaw && axesRaw.length ? axesRaw : s.map((_, i) => i)).map((a) => normAxis(a, s.length));
      const keep = attrInt(n, 'keepdims', 1) === 1;
      const out: Dim[] = [];
      s.forEach((d, i) => (axes.includes(i) ? keep && out.push(1) : out.push(d)));
      return [{ elemType: et, shape: out }];
    }
    case 'Gemm': {
      const a = need(0).shape;
      const b = need(1).shape;
      const m = attrInt(n, 'transA', 0) ? a[1] : a[0];
      const nn = attrInt(n, 'transB', 0) ? b[0] : b[1];
      return [{ elemType: et, shape: [m, nn] }];
    }
    case 'MatMul': {
      const a = need(0).shape;
      const b = need(1).shape;
      const a2 = a.length === 1 ? [1, a[0]] : a;
      const b2 = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
      const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
      if (a.length === 1) out.splice(out.length - 2, 1);
      if (b.length === 1) out.splice(out.length - 1, 1);
      return [{ elemType: et, shape: out }];
    }
    case 'Constant': {
      const t = attrTensor(n, 'value');
      if (t) return [{ elemType: t.dataType, shape: [...t.dims] }];
      if (n.attrs.value_float) return [{ elemType: DT.FLOAT, shape: [] }];
      if (n.attrs.value_int) return [{ elemType: DT.INT64, shape: [] }];
      if (n.attrs.value_ints?.type === 'ints') return [{ elemType: DT.INT64, shape: [n.attrs.value_ints.value.length] }];
      throw bad(n, 'unsupported Constant form');
    }
    case 'Shape': {
      const r = need(0).shape.length;
      const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
      return [{ elemType: DT.INT64, shape: [clampAxis(attrInt(n, 'end', r)) - clampAxis(attrInt(n, 'start', 0))] }];
    }
    case 'Size':
      return [{ elemType: DT.INT64, shape: [] }];
    case 'Cast':
      return [{ elemType: attrInt(n, 'to', DT.FLOAT), shape: [...need(0).shape] }];
    case 'Gather': {
      const s = need(0).shape;
      const idx = need(1).shape;
      const ax = normAxis(attrInt(n, 'axis', 0), s.length);
      return [{ elemType: et, shape: [...s.slice(0, ax), ...idx, ...s.slice(ax + 1)] }];
    }
    default:
      void model;
      throw bad(n, 'op not supported by shape inference');
  }
}
