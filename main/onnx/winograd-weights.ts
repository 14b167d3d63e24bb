// The transformed weights U = G g Gᵀ that a Winograd-lowered graph reads as inputs, computed once per
// session with one small ORT GEMM per weight ((G ⊗ G) [a², 9] × gᵀ [9, M·C]) and fed with every run:
// ORT takes the Float32Arrays without copying them. (Folding the same GEMM inside the session cost
// ORT more at creation than the rest of the graph's optimisation: VGG19 to relu4_2, 350 → 140 ms.)
import * as ort from 'onnxruntime-node';
import { DT, type Model, type Tensor } from './ir.js';
import { encodeModel } from './proto.js';
import { kernelTransformMatrix, type WinogradWeight } from './winograd.js';

function transformModel(tile: 4 | 6): Model {
  const { rows, data } = kernelTransformMatrix(tile);
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'vision-studio',
    baseDir: null,
    graph: {
      name: `winograd${tile}-weights`,
      nodes: [
        { name: 'GgGt', opType: 'Gemm', domain: '', inputs: ['kron', 'g'], outputs: ['u'], attrs: { transB: { type: 'int', value: 1 } } },
      ],
      inputs: [{ name: 'g', elemType: DT.FLOAT, shape: ['K', 9] }],
      outputs: [{ name: 'u', elemType: DT.FLOAT, shape: [rows, 'K'] }],
      initializers: new Map([['kron', { name: 'kron', dataType: DT.FLOAT, dims: [rows, 9], data }]]),
      valueInfo: new Map(),
    },
  };
}

/** Transformed weights already made, by weight tensor and tile: sessions of one model share them. */
export type WinogradCache = WeakMap<Tensor, Map<number, ort.Tensor>>;

/** The feeds for a lowered graph's transformed-weight inputs: name → U [a², M, C]. */
export async function winogradFeeds(
  weights: readonly WinogradWeight[],
  threads = 1,
  cache: WinogradCache = new WeakMap(),
): Promise<Record<string, ort.Tensor>> {
  const feeds: Record<string, ort.Tensor> = {};
  const sessions = new Map<4 | 6, ort.InferenceSession>();
  try {
    for (const { input, weight, tile } of weights) {
      const known = cache.get(weight)?.get(tile);
      if (known) {
        feeds[input] = known;
        continue;
      }
      let s = sessions.get(tile);
      if (!s) {
        s = await ort.InferenceSession.create(encodeModel(transformModel(tile)), { intraOpNumThreads: threads });
        sessions.set(tile, s);
      }
      const [M, C] = weight.dims;
      const g = new ort.Tensor('float32', weight.data as Float32Array, [M * C, 9]);
      const u = (await s.run({ g })).u;
      // [a², M·C] row-major is [a², M, C].
      feeds[input] = new ort.Tensor('float32', u.data as Float32Array, [u.dims[0], M, C]);
      if (!cache.has(weight)) cache.set(weight, new Map());
      cache.get(weight)!.set(tile, feeds[input]);
    }
  } finally {
    for (const s of sessions.values()) await s.release();
  }
  return feeds;
}
