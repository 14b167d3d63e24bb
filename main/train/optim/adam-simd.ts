// Adam's float32 update four lanes at a time in WebAssembly SIMD (adam-simd.wat), bit-identical to adamFast
// in rules.ts. Why: in the studio the optimiser runs on one core between ORT's two-thread steps, and the scalar
// loop (a division, a square root and ~10 roundings per value) was 4.7–5.3 ms of a 7.8 ms MLP-head iteration.
// Each parameter tensor gets its own small memory holding p, g, m and v; m and v live there between steps (the
// ParamState's exp_avg / exp_avg_sq are views of it), p and g are copied in and p out. Node-free.
import { ADAM_SIMD_WASM } from './adam-simd-wasm.js';

type AdamExport = (
  p: number,
  g: number,
  m: number,
  v: number,
  n: number,
  decay: number,
  negStep: number,
  b1: number,
  oneMinusB1: number,
  b2: number,
  oneMinusB2: number,
  bc2Sqrt: number,
  eps: number,
) => void;

/** The part of the WebAssembly API used here (typed locally: this folder is checked without DOM or Node types). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

/** One Adam step's float32 scalars (adamRule derives them per step); decay is AdamW's 1 − lr·wd, 1 for Adam. */
export interface AdamScalars {
  decay: number;
  negStep: number;
  b1: number;
  oneMinusB1: number;
  b2: number;
  oneMinusB2: number;
  bc2Sqrt: number;
  eps: number;
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available (the scalar loop is used then). */
function adamModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(atob(ADAM_SIMD_WASM), (ch) => ch.charCodeAt(0));
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export function adamSimdAvailable(): boolean {
  return adamModule() !== null;
}

const PAGE = 65536;

/** One parameter tensor's memory and update. The memory never grows, so the views stay valid. */
export class AdamSimd {
  readonly p: Float32Array;
  readonly g: Float32Array;
  /** exp_avg and exp_avg_sq, kept here between steps. */
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly adam: AdamExport;
  private readonly stride: number;

  private constructor(
    readonly n: number,
    module: object,
  ) {
    const stride = (this.stride = Math.ceil(n / 4) * 16); // bytes per array, 16-byte aligned
    const memory = new wasm!.Memory({ initial: Math.max(1, Math.ceil((4 * stride) / PAGE)) });
    this.adam = new wasm!.Instance(module, { env: { memory } }).exports.adam as AdamExport;
    const view = (i: number) => new Float32Array(memory.buffer, i * stride, n);
    [this.p, this.g, this.m, this.v] = [view(0), view(1), view(2), view(3)];
  }

  static create(n: number): AdamSimd | null {
    const module = adamModule();
    return module ? new AdamSimd(n, module) : null;
  }

  /** One step on p in place (m and v are this kernel's own). */
  step(p: Float32Array, g: Float32Array, k: AdamScalars): void {
    this.p.set(p);
    this.g.set(g);
    const stride = this.stride;
    this.adam(0, stride, 2 * stride, 3 * stride, this.n, k.decay, k.negStep, k.b1, k.oneMinusB1, k.b2, k.oneMinusB2, k.bc2Sqrt, k.eps);
    p.set(this.p);
  }
}
