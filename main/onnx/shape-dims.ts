// Dimension arithmetic of shape inference (shapes.ts): broadcasting, spatial pads and output sizes of
// convolutions and pools, slice lengths, symbolic sums and scales; and the graph's constant tensors.
import { StudioError } from '../api/contract.js';
import { attrInt, attrInts, attrString, attrTensor, DT, type Dim, type Graph, type Node, type Tensor } from './ir.js';

const bad = (n: Node, msg: string) => new StudioError('bad_model', `node "${n.name}" (${n.opType}): ${msg}`);

/** Constant values (initializers and Constant nodes) by tensor name. */
export function constantTensors(g: Graph): Map<string, Tensor> {
  const m = new Map(g.initializers);
  for (const n of g.nodes) {
    if (n.opType === 'Constant') {
      const t = attrTensor(n, 'value');
      if (t) m.set(n.outputs[0], t);
      else if (n.attrs.value_float?.type === 'float')
        m.set(n.outputs[0], { name: n.outputs[0], dataType: DT.FLOAT, dims: [], data: Float32Array.of(n.attrs.value_float.value) });
      else if (n.attrs.value_int?.type === 'int')
        m.set(n.outputs[0], { name: n.outputs[0], dataType: DT.INT64, dims: [], data: BigInt64Array.of(BigInt(n.attrs.value_int.value)) });
      else if (n.attrs.value_ints?.type === 'ints') {
        const v = n.attrs.value_ints.value;
        m.set(n.outputs[0], { name: n.outputs[0], dataType: DT.INT64, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
      }
    }
  }
  return m;
}

export const isStatic = (s: Dim[]): s is number[] => s.every((d) => typeof d === 'number');
export const dimMul = (a: Dim, b: Dim): Dim =>
  typeof a === 'number' && typeof b === 'number' ? a * b : a === 1 ? b : b === 1 ? a : `${a}*${b}`;

/** Broadcast two shapes numpy-style; unequal symbols are assumed equal (the graph is valid). */
export function broadcastShapes(a: Dim[], b: Dim[]): Dim[] {
  const r = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (typeof x === 'number' && typeof y === 'number' && x !== y)
      throw new StudioError('bad_model', `cannot broadcast [${a}] with [${b}]`);
    else out.push(typeof x === 'number' ? x : y);
  }
  return out;
}

/** Explicit begin/end pads of a spatial op (resolving auto_pad when the size is static). */
export function spatialPads(n: Node, inSpatial: Dim[], kernel: number[], strides: number[], dil: number[]): number[] | null {
  const r = kernel.length;
  const auto = attrString(n, 'auto_pad', 'NOTSET');
  if (auto === 'NOTSET') return attrInts(n, 'pads') ?? new Array(2 * r).fill(0);
  if (auto === 'VALID') return new Array(2 * r).fill(0);
  if (!isStatic(inSpatial)) return null;
  const pads = new Array(2 * r).fill(0);
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(inSpatial[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - inSpatial[i]);
    const small = Math.floor(total / 2);
    pads[i] = auto === 'SAME_LOWER' ? total - small : small;
    pads[i + r] = total - pads[i];
  }
  return pads;
}

function poolDim(n: Node, x: Dim, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean, auto: string): Dim {
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return typeof x === 'number' ? Math.ceil(x / s) : s === 1 ? x : `ceil(${x}/${s})`;
  const ke = (k - 1) * d + 1;
  if (typeof x === 'number') {
    const span = x + pb + pe - ke;
    if (span < 0) throw bad(n, `kernel ${ke} larger than padded input ${x + pb + pe}`);
    let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceil && (o - 1) * s >= x + pb) o--; // last window must start inside the input or left pad
    return o;
  }
  if (s === 1 && pb + pe === ke - 1) return x;
  return `pool(${x},${ke},${s},${pb},${pe}${ceil ? ',c' : ''})`;
}

export function spatialOut(n: Node, x: Dim[], kernel: number[]): Dim[] {
  const r = kernel.length;
  const strides = attrInts(n, 'strides') ?? new Array(r).fill(1);
  const dil = attrInts(n, 'dilations') ?? new Array(r).fill(1);
  const auto = attrString(n, 'auto_pad', 'NOTSET');
  const pads = spatialPads(n, x.slice(2), kernel, strides, dil) ?? new Array(2 * r).fill(0);
  const ceil = attrInt(n, 'ceil_mode', 0) === 1;
  return x.slice(2).map((d, i) => poolDim(n, d, kernel[i], strides[i], dil[i], pads[i], pads[i + r], ceil, auto));
}

export const normAxis = (a: number, r: number) => (a < 0 ? a + r : a);

export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (b === 0) return a;
  if (a === 0) return b;
  return `${a}+${b}`;
}

/** Resize's output dim: floor(d·scale) (ONNX's rule), symbolic when d is. */
export function scaleDim(d: Dim, scale: number): Dim {
  if (scale === 1) return d;
  if (typeof d === 'number') return Math.floor(d * scale);
  return `floor(${d}*${scale})`;
}

export function sliceLen(d: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  if (step > 0) {
    s = clamp(s, 0, d);
    e = clamp(e, 0, d);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, d - 1);
  e = clamp(e, -1, d - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}
