// Values of small int64 "shape" tensors (Shape → Gather → Unsqueeze → Concat → Reshape, as PyTorch
// exports x.view(x.size(0), -1)), with symbols where a dim is dynamic, so Reshape targets computed at run
// time still get a shape. Small tensors are tracked, flat in row-major order; booleans are 0/1.
// Transformer exports add masks and arithmetic: expand(N, -1, -1) is Equal/Where on a shape vector, Swin's
// window padding is (w − H mod w) mod w.
import { attrInt, attrInts, attrTensor, tensorNumbers, type Dim, type Node } from './ir.js';

/** Longest vector tracked (ConstantOfShape, Range, Expand make values from sizes). */
const MAX_LEN = 64;
/** Largest value tracked at all (reshaped constants). */
const MAX_TRACKED = 4096;

/** Indices an ONNX Slice keeps along one axis of length d (clamped like the op). */
function sliceIndices(d: number, start: number, end: number, step: number): number[] {
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, d);
    e = clamp(e, 0, d);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    s = clamp(s, -1, d - 1);
    e = clamp(e, -1, d - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

/** Elements of a row-major tensor at the cartesian product of per-axis picks, in `perm` axis order. */
function gatherFlat(data: Dim[], shape: number[], picks: number[][], perm = shape.map((_, i) => i)): Dim[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  let offsets = [0];
  for (const ax of perm) offsets = offsets.flatMap((o) => picks[ax].map((i) => o + i * strides[ax]));
  return offsets.map((o) => data[o]);
}

/** Elementwise over two values broadcast from length 1; undefined where f cannot tell. */
function zip(a: Dim[], b: Dim[], f: (x: Dim, y: Dim) => Dim | undefined): Dim[] | undefined {
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const r = f(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

const num = (x: Dim): x is number => typeof x === 'number';

/** x == y on dims: a symbol is a size (≥ 0), so it never equals a negative number; else only equal symbols tell. */
function dimEqual(x: Dim, y: Dim): number | undefined {
  if (num(x) && num(y)) return x === y ? 1 : 0;
  if (x === y) return 1;
  if ((num(x) && x < 0) || (num(y) && y < 0)) return 0;
  return undefined;
}

export type ValueOf = (name: string) => Dim[] | undefined;

export function shapeValue(n: Node, inShape: (name: string) => Dim[] | undefined, value: ValueOf): Dim[] | undefined {
  const out = compute(n, inShape, value);
  return out && out.length <= MAX_TRACKED ? out : undefined;
}

function compute(n: Node, inShape: (name: string) => Dim[] | undefined, value: ValueOf): Dim[] | undefined {
  const v = (i: number) => (n.inputs[i] ? value(n.inputs[i]) : undefined);
  /** The static shape of a tracked value's tensor (a bare vector when the shape map lacks it). */
  const staticShape = (name: string, data: Dim[] | undefined): number[] | undefined => {
    const s = inShape(name) ?? (data ? [data.length] : undefined);
    return s && data && s.every(num) && s.reduce((p, q) => p * q, 1) === data.length ? s : undefined;
  };
  switch (n.opType) {
    case 'Shape': {
      const s = inShape(n.inputs[0]);
      if (!s) return undefined;
      const r = s.length;
      const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
      return s.slice(clamp(attrInt(n, 'start', 0)), clamp(attrInt(n, 'end', r)));
    }
    case 'Gather': {
      const data = v(0);
      const idx = v(1);
      if (!data || !idx || attrInt(n, 'axis', 0) !== 0 || idx.some((i) => typeof i !== 'number')) return undefined;
      return (idx as number[]).map((i) => data[i < 0 ? i + data.length : i]);
    }
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Cast':
    case 'Identity':
      return v(0);
    case 'Concat':
      if (attrInt(n, 'axis', 0) !== 0 && attrInt(n, 'axis', 0) !== -1) return undefined;
      {
        const parts = n.inputs.map((_, i) => v(i));
        return parts.every((p) => p) ? (parts.flat() as Dim[]) : undefined;
      }
    case 'Slice': {
      // Any rank and step (PyTorch's F.pad exports its pads reversed by a step −1 slice of a [k, 2] reshape).
      const data = v(0);
      const [st, en] = [v(1), v(2)];
      const shape = staticShape(n.inputs[0], data);
      if (!data || !st || !en || !shape) return undefined;
      const axes = v(3) ?? st.map((_, i) => i);
      const steps = v(4) ?? st.map(() => 1);
      if (![...st, ...en, ...axes, ...steps].every(num)) return undefined;
      const picks = shape.map((d) => Array.from({ length: d }, (_, i) => i));
      (axes as number[]).forEach((a, i) => {
        const ax = a < 0 ? a + shape.length : a;
        picks[ax] = sliceIndices(shape[ax], st[i] as number, en[i] as number, steps[i] as number);
      });
      return gatherFlat(data, shape, picks);
    }
    case 'Transpose': {
      const data = v(0);
      const shape = staticShape(n.inputs[0], data);
      if (!data || !shape) return undefined;
      const perm = attrInts(n, 'perm') ?? shape.map((_, i) => shape.length - 1 - i);
      return gatherFlat(
        data,
        shape,
        shape.map((d) => Array.from({ length: d }, (_, i) => i)),
        perm,
      );
    }
    case 'Equal':
      return v(0) && v(1) ? zip(v(0)!, v(1)!, dimEqual) : undefined;
    case 'Not': {
      const a = v(0);
      return a && a.every(num) ? a.map((x) => 1 - (x as number)) : undefined;
    }
    case 'Where': {
      const [c, a, b] = [v(0), v(1), v(2)];
      if (!c || !a || !b || !c.every(num)) return undefined;
      const ab = zip(a, b, (x, y) => [x, y] as unknown as Dim);
      const len = Math.max(c.length, a.length, b.length);
      if (!ab || (c.length !== 1 && c.length !== len)) return undefined;
      return Array.from({ length: len }, (_, i) => {
        const pair = ab[ab.length === 1 ? 0 : i] as unknown as [Dim, Dim];
        return c[c.length === 1 ? 0 : i] ? pair[0] : pair[1];
      });
    }
    case 'ConstantOfShape': {
      const shape = v(0);
      const t = attrTensor(n, 'value');
      if (!shape || !shape.every(num) || shape.length > 1) return undefined;
      const len = shape.length ? (shape[0] as number) : 1;
      if (len > MAX_LEN) return undefined;
      return new Array<number>(len).fill(t ? tensorNumbers(t)[0] : 0);
    }
    case 'Range': {
      const [st, li, de] = [v(0)?.[0], v(1)?.[0], v(2)?.[0]];
      if (!num(st!) || !num(li!) || !num(de!) || de === 0) return undefined;
      const len = Math.max(0, Math.ceil((li - st) / de));
      return len <= MAX_LEN ? Array.from({ length: len }, (_, i) => st + i * de) : undefined;
    }
    case 'Expand': {
      const a = v(0);
      const shape = v(1);
      if (!a || !shape || !shape.every(num) || shape.length > 1) return undefined;
      const len = Math.max(a.length, shape.length ? (shape[0] as number) : 1);
      if (len > MAX_LEN || (a.length !== 1 && a.length !== len)) return undefined;
      return Array.from({ length: len }, (_, i) => a[a.length === 1 ? 0 : i]);
    }
    case 'Reshape':
      // Values are kept flat in row-major order, which a reshape does not change.
      return v(0);
    case 'Neg': {
      const a = v(0);
      return a?.map((x) => (num(x) ? -x : `-(${x})`));
    }
    case 'Max':
    case 'Min': {
      const [a, b] = [v(0), v(1)];
      if (!a || !b || n.inputs.length !== 2) return undefined;
      return zip(a, b, (x, y) => (num(x) && num(y) ? (n.opType === 'Max' ? Math.max(x, y) : Math.min(x, y)) : undefined));
    }
    case 'Mod': {
      const [a, b] = [v(0), v(1)];
      if (!a || !b) return undefined;
      const fmod = attrInt(n, 'fmod', 0) === 1;
      // Integer Mod takes the divisor's sign (Python's %); fmod the dividend's.
      return zip(a, b, (x, y) => (num(x) && num(y) && y !== 0 ? (fmod ? x % y : ((x % y) + y) % y) : `Mod(${x},${y})`));
    }
    case 'Mul':
    case 'Div':
    case 'Add':
    case 'Sub': {
      const a = v(0);
      const b = v(1);
      if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
      const len = Math.max(a.length, b.length);
      const out: Dim[] = [];
      for (let i = 0; i < len; i++) {
        const x = a[a.length === 1 ? 0 : i];
        const y = b[b.length === 1 ? 0 : i];
        const unit = n.opType === 'Mul' || n.opType === 'Div' ? 1 : 0;
        if (y === unit || (x === unit && (n.opType === 'Mul' || n.opType === 'Add'))) out.push(y === unit ? x : y);
        else if (typeof x !== 'number' || typeof y !== 'number') out.push(`${n.opType}(${x},${y})`);
        else out.push(n.opType === 'Mul' ? x * y : n.opType === 'Div' ? Math.trunc(x / y) : n.opType === 'Add' ? x + y : x - y);
      }
      return out;
    }
    default:
      return undefined;
  }
}
