// Which way a conv's input gradient runs faster on ORT's CPU (not a CI test): the flipped-weight Conv or the
// ConvTranspose of the forward weight, for 'same'-padded stride-1 convs of C input and M output channels.
// It set FEW_CHANNELS in main/onnx/grad/rules-linear.ts.
// Usage: npx tsx bench/train/dconv.ts ['N,C,M,H,k;…']
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../main/onnx/proto';
import { aInts, DT, type Model, type Node } from '../../main/onnx/ir';
const threads = Number(process.env.THREADS ?? 2);
function model(kind: 'conv' | 'convT', N: number, C: number, M: number, H: number, k: number): Uint8Array {
  const p = k >> 1;
  const hy = H + 2 * p - k + 1;
  const v = (name: string, shape: number[]) => ({ name, elemType: DT.FLOAT, shape });
  const fp = k - 1 - p;
  const node: Node =
    kind === 'conv'
      ? {
          name: 'n',
          opType: 'Conv',
          domain: '',
          inputs: ['g', 'wf'],
          outputs: ['dx'],
          attrs: { kernel_shape: aInts([k, k]), pads: aInts([fp, fp, fp, fp]) },
        }
      : {
          name: 'n',
          opType: 'ConvTranspose',
          domain: '',
          inputs: ['g', 'w'],
          outputs: ['dx'],
          attrs: { kernel_shape: aInts([k, k]), pads: aInts([p, p, p, p]) },
        };
  const m: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'x',
    baseDir: null,
    graph: {
      name: 'g',
      inputs: [v('g', [N, M, hy, hy]), kind === 'conv' ? v('wf', [C, M, k, k]) : v('w', [M, C, k, k])],
      outputs: [v('dx', [N, C, H, H])],
      initializers: new Map(),
      valueInfo: new Map(),
      nodes: [node],
    },
  };
  return encodeModel(m);
}
const cases = (
  process.argv[2] ?? '64,6,16,12,5;128,16,16,32,3;128,16,32,16,3;128,32,64,8,3;32,64,128,16,3;32,3,64,32,3;16,64,128,56,3;16,128,256,28,3'
)
  .split(';')
  .map((s) => s.split(',').map(Number));
for (const [N, C, M, H, k] of cases) {
  const res: Record<string, number[]> = { conv: [], convT: [] };
  const sess: Record<string, ort.InferenceSession> = {};
  const feeds: Record<string, Record<string, ort.Tensor>> = {};
  const p = k >> 1;
  const hy = H + 2 * p - k + 1;
  for (const kind of ['conv', 'convT'] as const) {
    sess[kind] = await ort.InferenceSession.create(model(kind, N, C, M, H, k), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'extended',
    });
    const g = new ort.Tensor(
      'float32',
      Float32Array.from({ length: N * M * hy * hy }, () => Math.random()),
      [N, M, hy, hy],
    );
    const w = new ort.Tensor(
      'float32',
      Float32Array.from({ length: M * C * k * k }, () => Math.random()),
      kind === 'conv' ? [C, M, k, k] : [M, C, k, k],
    );
    feeds[kind] = kind === 'conv' ? { g, wf: w } : { g, w };
  }
  for (let r = 0; r < 25; r++)
    for (const kind of ['conv', 'convT'] as const) {
      const t = performance.now();
      await sess[kind].run(feeds[kind]);
      res[kind].push(performance.now() - t);
    }
  const med = (xs: number[]) => xs.slice(5).sort((a, b) => a - b)[10];
  console.log(
    `N${N} C${C} M${M} H${H} k${k}: conv ${med(res.conv).toFixed(2)} ms, convT ${med(res.convT).toFixed(2)} ms, ratio T/conv ${(med(res.convT) / med(res.conv)).toFixed(2)}`,
  );
}
