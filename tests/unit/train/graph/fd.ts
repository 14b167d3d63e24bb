// Central differences on a whole graph that already outputs its gradients: one session, every perturbed
// input fed (weights are inputs in training graphs, so nothing is rebuilt per probe).
import * as ort from 'onnxruntime-node';
import { DT, type Model } from '../../../../main/onnx/ir.js';
import { encodeModel } from '../../../../main/onnx/proto.js';

export interface Feed {
  data: Float64Array | Float32Array | BigInt64Array;
  dims: number[];
}

const ortType = (d: Feed['data']) => (d instanceof Float64Array ? 'float64' : d instanceof Float32Array ? 'float32' : 'int64');
const tensor = (f: Feed) => new ort.Tensor(ortType(f.data), f.data, f.dims);

export async function session(model: Model, level: 'disabled' | 'all' = 'disabled'): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: level, intraOpNumThreads: 1 });
}

export async function runFeeds(s: ort.InferenceSession, feeds: Record<string, Feed>): Promise<ort.InferenceSession.OnnxValueMapType> {
  return s.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, tensor(f)])));
}

export interface FdResult {
  /** max |AD − FD| / max(max |FD|, 1e-3) per checked input. */
  relErr: Record<string, number>;
  worst: number;
}

/**
 * Compares `grads[input]` (an output of the graph) with (L(x + h) − L(x − h)) / 2h for every element of
 * each input (or every `stride`-th). Float64 graphs: h = 1e-6; float32 ones (with a float64 loss): h = 1e-3.
 */
export async function fdCheck(
  model: Model,
  feeds: Record<string, Feed>,
  grads: Record<string, string>,
  opts: { loss?: string; stride?: number; h?: number } = {},
): Promise<FdResult> {
  const s = await session(model);
  const loss = opts.loss ?? 'loss';
  const double = model.graph.inputs.some((v) => v.elemType === DT.DOUBLE);
  const h = opts.h ?? (double ? 1e-6 : 1e-3);
  try {
    const base = await runFeeds(s, feeds);
    const relErr: Record<string, number> = {};
    for (const [name, gradOut] of Object.entries(grads)) {
      const ad = base[gradOut].data as Float64Array | Float32Array;
      const x = feeds[name].data as Float64Array | Float32Array;
      let maxDiff = 0;
      let maxRef = 1e-3;
      for (let i = 0; i < x.length; i += opts.stride ?? 1) {
        // The step actually taken (a float32 input rounds x ± h).
        const probe = async (delta: number) => {
          const y = x.slice();
          y[i] += delta;
          const out = await runFeeds(s, { ...feeds, [name]: { data: y, dims: feeds[name].dims } });
          return { l: Number(out[loss].data[0]), x: y[i] };
        };
        const [p, m] = [await probe(h), await probe(-h)];
        const fd = (p.l - m.l) / (p.x - m.x);
        maxDiff = Math.max(maxDiff, Math.abs(fd - ad[i]));
        maxRef = Math.max(maxRef, Math.abs(fd));
      }
      relErr[name] = maxDiff / maxRef;
    }
    return { relErr, worst: Math.max(...Object.values(relErr)) };
  } finally {
    await s.release();
  }
}
