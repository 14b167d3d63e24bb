// Receptive field, effective stride and effective padding of every tensor, along one axis (H), in input pixels.
// The recurrences of Araujo et al., "Computing receptive fields of convolutional neural networks" (Distill 2019),
// which google-research/receptive_field implements: for a layer with kernel k, stride s, dilation d and begin
// padding p,  rf_out = rf_in + d(k−1)·jump_in,  jump_out = jump_in·s,  pad_out = pad_in + p·jump_in.
// Where branches join (Add, Concat) the widest branch wins (aligned nets have equal strides there).
import { attrInts, type Dim, type Node } from '../ir.js';
import { spatialPads, type ShapeMap } from '../shapes.js';

export interface RfInfo {
  /** Input pixels one output position sees. */
  rf: number;
  /** Input pixels between neighbouring output positions (the product of strides so far). */
  stride: number;
  /** Input pixels the first output position's window starts before pixel 0. */
  padding: number;
}

const WINDOWED = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);
/** Ops that gather every spatial position of their input into each output. */
const GATHER_ALL = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'Flatten', 'Reshape']);
/** Dense products: at least the whole image (their input is usually flattened already). */
const DENSE = new Set(['Gemm', 'MatMul']);

/** Kernel, stride, dilation and begin padding of a windowed op along H; null when the op is not windowed. */
export function windowH(n: Node, shapes: ShapeMap): { k: number; s: number; d: number; p: number } | null {
  if (!WINDOWED.has(n.opType) && n.opType !== 'ConvTranspose') return null;
  const wk = shapes.get(n.inputs[1])?.shape.slice(2);
  const kernel = attrInts(n, 'kernel_shape') ?? (wk && isNums(wk) ? wk : undefined);
  if (!kernel || kernel.length === 0) return null;
  const r = kernel.length;
  const strides = attrInts(n, 'strides') ?? new Array<number>(r).fill(1);
  const dil = attrInts(n, 'dilations') ?? new Array<number>(r).fill(1);
  const inSpatial = shapes.get(n.inputs[0])?.shape.slice(2) ?? new Array<Dim>(r).fill('?');
  const pads = spatialPads(n, inSpatial, kernel, strides, dil);
  return { k: kernel[0], s: strides[0], d: dil[0], p: pads?.[0] ?? 0 };
}

const isNums = (a: Dim[]): a is number[] => a.every((d) => typeof d === 'number');

/**
 * Receptive fields of every tensor computed from `input` (tensors not derived from it, e.g. weights and shape
 * constants, get none). `order` is topological; `size` is the input's [H, W] (what a whole-image op sees).
 */
export function receptiveFields(
  order: Node[],
  shapes: ShapeMap,
  input: string,
  size: [number, number],
  /** Values of constant tensors (Pad's pads input since opset 11); optional. */
  constant: (name: string) => number[] | undefined = () => undefined,
): Map<string, RfInfo> {
  const out = new Map<string, RfInfo>([[input, { rf: 1, stride: 1, padding: 0 }]]);
  for (const n of order) {
    const prev = n.inputs.map((i) => out.get(i)).filter((v): v is RfInfo => !!v);
    if (prev.length === 0) continue;
    const widest = prev.reduce((a, b) => (b.rf > a.rf ? b : a));
    const base: RfInfo = { ...widest, stride: Math.max(...prev.map((p) => p.stride)) };
    let r = base;
    const win = windowH(n, shapes);
    if (win && n.opType === 'ConvTranspose') {
      // An output position is fed by ceil(k_eff/s) input positions; the stride shrinks by s.
      const ke = win.d * (win.k - 1) + 1;
      r = { rf: base.rf + (Math.ceil(ke / win.s) - 1) * base.stride, stride: base.stride / win.s, padding: base.padding };
    } else if (win) {
      r = {
        rf: base.rf + (win.k - 1) * win.d * base.stride,
        stride: base.stride * win.s,
        padding: base.padding + win.p * base.stride,
      };
    } else if (GATHER_ALL.has(n.opType)) {
      // Every position along H, one jump apart: the first window plus (H_in − 1) jumps.
      const x = shapes.get(n.inputs[0])?.shape;
      const y = shapes.get(n.outputs[0])?.shape;
      const h = x?.[2];
      const collapses = x?.length === 4 && typeof h === 'number' && (n.opType.startsWith('Global') || (y && y.length <= 2));
      if (collapses) r = { ...base, rf: base.rf + (h - 1) * base.stride };
    } else if (DENSE.has(n.opType)) {
      r = { ...base, rf: Math.max(base.rf, ...size) };
    } else if (n.opType === 'Pad') {
      const pads = attrInts(n, 'pads') ?? (n.inputs[1] ? constant(n.inputs[1]) : undefined);
      const rank = shapes.get(n.inputs[0])?.shape.length ?? 0;
      if (pads && rank === 4 && pads.length === 8) r = { ...base, padding: base.padding + pads[2] * base.stride };
    } else if (n.opType === 'Resize' || n.opType === 'Upsample') {
      // Upsampling by f puts f output positions per input position: the stride shrinks by f.
      const hIn = shapes.get(n.inputs[0])?.shape[2];
      const hOut = shapes.get(n.outputs[0])?.shape[2];
      if (typeof hIn === 'number' && typeof hOut === 'number' && hOut > 0) r = { ...base, stride: (base.stride * hIn) / hOut };
    }
    for (const o of n.outputs) if (o) out.set(o, r);
  }
  return out;
}
