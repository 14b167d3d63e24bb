// Finite-difference checker for backward rules: builds a one-node graph, loss = Σ y·R (R random and
// fixed, so every output element matters), differentiates it with our rules, runs it in ONNX Runtime and
// compares every input element with a central difference. Tries float64 first; ops ORT's CPU provider
// lacks in double fall back to float32 with a looser, stated tolerance.
import * as ort from 'onnxruntime-node';
import { differentiate } from '../../../main/onnx/grad/differentiate.js';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { DT, floatTensor, int64Tensor, numel, type AttrValue, type Model, type Node, type Tensor } from '../../../main/onnx/ir.js';
import { encodeModel } from '../../../main/onnx/proto.js';
import { inferShapes } from '../../../main/onnx/shapes.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export interface InputSpec {
  shape: number[];
  /** 'rand' uniform(-1,1); 'pos' (0.5,1.5); 'spaced': distinct values ≥ 0.05 apart, away from 0 (no ties, no kinks). */
  data?: 'rand' | 'pos' | 'spaced' | number[];
  /** Differentiate against it (default true for float inputs). */
  wrt?: boolean;
  /** Constant int64 input (axes, shapes, pads). */
  int64?: number[];
  /** Constant bool input (Where's condition). */
  bool?: boolean[];
  /** Constant float32 input whatever the precision (Resize scales). */
  f32?: number[];
  /** Omitted optional input. */
  empty?: boolean;
}

export interface OpCase {
  op: string;
  inputs: InputSpec[];
  attrs?: Record<string, AttrValue>;
  /** Number of outputs to request (the loss uses each float output). */
  outputs?: number;
  /** Force precision (default: try double, fall back to float). */
  precision?: 'double' | 'float';
  /** Opset of the one-node graph (default 17; Mish and GroupNormalization need 18, Gelu 20). */
  opset?: number;
  seed?: number;
}

export interface CheckResult {
  precision: 'double' | 'float';
  /** max |AD − FD| / max(|FD|, 1e-3) over all checked elements. */
  relErr: number;
  tol: number;
  ok: boolean;
  checked: number;
}

function makeData(spec: InputSpec, r: () => number): number[] {
  const n = numel(spec.shape);
  if (Array.isArray(spec.data)) return spec.data;
  if (spec.data === 'pos') return Array.from({ length: n }, () => 0.5 + r());
  if (spec.data === 'spaced') {
    const vals = Array.from({ length: n }, (_, i) => (i - n / 2 + 0.5) * 0.1 + 0.0137);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [vals[i], vals[j]] = [vals[j], vals[i]];
    }
    return vals.map((v) => (Math.abs(v) < 0.05 ? v + 0.07 : v));
  }
  return Array.from({ length: n }, () => 2 * r() - 1);
}

function buildModel(c: OpCase, elem: number, rules?: Record<string, Rule>) {
  const r = rng(c.seed ?? 7);
  const initializers = new Map<string, Tensor>();
  const inputs: Model['graph']['inputs'] = [];
  const feeds: Record<string, number[]> = {};
  const names: string[] = [];
  const wrt: string[] = [];
  c.inputs.forEach((spec, i) => {
    const name = `in${i}`;
    if (spec.empty) return names.push('');
    names.push(name);
    if (spec.int64) initializers.set(name, int64Tensor(name, spec.shape, spec.int64));
    else if (spec.f32) initializers.set(name, floatTensor(name, spec.shape, spec.f32, DT.FLOAT));
    else if (spec.bool)
      initializers.set(name, { name, dataType: DT.BOOL, dims: spec.shape, data: Uint8Array.from(spec.bool, (v) => (v ? 1 : 0)) });
    else if (spec.wrt === false) initializers.set(name, floatTensor(name, spec.shape, makeData(spec, r), elem));
    else {
      inputs.push({ name, elemType: elem, shape: spec.shape });
      feeds[name] = makeData(spec, r);
      wrt.push(name);
    }
  });
  const nOut = c.outputs ?? 1;
  const outs = Array.from({ length: nOut }, (_, i) => `out${i}`);
  const node: Node = { name: 'op', opType: c.op, domain: '', inputs: names, outputs: outs, attrs: c.attrs ?? {} };
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: c.opset ?? 17 }],
    producerName: 't',
    baseDir: null,
    graph: { name: 'g', nodes: [node], inputs, outputs: [], initializers, valueInfo: new Map() },
  };
  const shapes = inferShapes(model);
  // loss = Σ_k Σ out_k · R_k
  const terms: string[] = [];
  outs.forEach((o, k) => {
    const s = shapes.get(o)!;
    if (s.elemType !== elem) return;
    const dims = s.shape as number[];
    const rn = `R${k}`;
    initializers.set(rn, floatTensor(rn, dims, makeData({ shape: dims }, r), elem));
    model.graph.nodes.push({ name: `m${k}`, opType: 'Mul', domain: '', inputs: [o, rn], outputs: [`p${k}`], attrs: {} });
    model.graph.nodes.push({
      name: `s${k}`,
      opType: 'ReduceSum',
      domain: '',
      inputs: [`p${k}`],
      outputs: [`t${k}`],
      attrs: { keepdims: { type: 'int', value: 0 } },
    });
    terms.push(`t${k}`);
  });
  model.graph.nodes.push({ name: 'sum', opType: 'Sum', domain: '', inputs: terms, outputs: ['loss'], attrs: {} });
  const all = inferShapes(model);
  const grads = differentiate(model, all, { loss: 'loss', wrt, rules, elemType: elem });
  model.graph.outputs = [{ name: 'loss', elemType: elem, shape: [] }, ...wrt.map((w) => ({ name: grads.get(w)!, elemType: elem }))];
  return { model, feeds, wrt, grads, shapes: wrt.map((w) => c.inputs[Number(w.slice(2))].shape) };
}

export async function gradCheck(c: OpCase, opts: { rules?: Record<string, Rule> } = {}): Promise<CheckResult> {
  const tryPrec: ('double' | 'float')[] = c.precision ? [c.precision] : ['double', 'float'];
  let lastErr: unknown;
  for (const precision of tryPrec) {
    const elem = precision === 'double' ? DT.DOUBLE : DT.FLOAT;
    let built: ReturnType<typeof buildModel>;
    let session: ort.InferenceSession;
    try {
      built = buildModel(c, elem, opts.rules);
      session = await ort.InferenceSession.create(encodeModel(built.model), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    } catch (e) {
      lastErr = e;
      if (precision === 'double' && /NOT_IMPLEMENTED|Could not find an implementation|not implemented|Type Error/i.test(String(e)))
        continue;
      throw e;
    }
    try {
      return await compare(session, built, precision);
    } finally {
      await session.release();
    }
  }
  throw lastErr;
}

async function compare(
  session: ort.InferenceSession,
  built: ReturnType<typeof buildModel>,
  precision: 'double' | 'float',
): Promise<CheckResult> {
  const type = precision === 'double' ? 'float64' : 'float32';
  const Arr = precision === 'double' ? Float64Array : Float32Array;
  const mk = (vals: Record<string, number[]>) =>
    Object.fromEntries(built.wrt.map((w, i) => [w, new ort.Tensor(type, Arr.from(vals[w]), built.shapes[i])]));
  const base = await session.run(mk(built.feeds));
  const h = precision === 'double' ? 1e-6 : 2e-3;
  const tol = precision === 'double' ? 1e-6 : 2e-3;
  let maxDiff = 0;
  let maxRef = 1e-3;
  let checked = 0;
  for (const w of built.wrt) {
    const ad = base[built.grads.get(w)!].data as Float64Array | Float32Array;
    const x = built.feeds[w];
    for (let i = 0; i < x.length; i++) {
      const plus = { ...built.feeds, [w]: x.map((v, j) => (j === i ? v + h : v)) };
      const minus = { ...built.feeds, [w]: x.map((v, j) => (j === i ? v - h : v)) };
      const lp = Number((await session.run(mk(plus))).loss.data[0]);
      const lm = Number((await session.run(mk(minus))).loss.data[0]);
      const fd = (lp - lm) / (2 * h);
      maxDiff = Math.max(maxDiff, Math.abs(fd - ad[i]));
      maxRef = Math.max(maxRef, Math.abs(fd));
      checked++;
    }
  }
  const relErr = maxDiff / maxRef;
  return { precision, relErr, tol, ok: relErr <= tol, checked };
}
