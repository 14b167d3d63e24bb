// MaxPool on ORT's CPU with and without its Indices output (not a CI test): the indices force ORT's generic
// pooling loop instead of MLAS's vectorised one. Usage: npx tsx bench/train/maxpool.ts ['N,C,H;…']
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../main/onnx/proto';
import { aInts, DT, type Model } from '../../main/onnx/ir';

const threads = Number(process.env.THREADS ?? 2);
function model(indices: boolean, N: number, C: number, H: number): Uint8Array {
  const v = (name: string, shape: number[], t: number = DT.FLOAT) => ({ name, elemType: t, shape });
  const h = H / 2;
  const m: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'x',
    baseDir: null,
    graph: {
      name: 'g',
      inputs: [v('x', [N, C, H, H])],
      outputs: [v('y', [N, C, h, h]), ...(indices ? [v('i', [N, C, h, h], DT.INT64)] : [])],
      initializers: new Map(),
      valueInfo: new Map(),
      nodes: [
        {
          name: 'p',
          opType: 'MaxPool',
          domain: '',
          inputs: ['x'],
          outputs: indices ? ['y', 'i'] : ['y'],
          attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) },
        },
      ],
    },
  };
  return encodeModel(m);
}
const cases = (process.argv[2] ?? '64,6,28;64,16,10;128,64,32').split(';').map((s) => s.split(',').map(Number));
for (const [N, C, H] of cases) {
  const res: Record<string, number[]> = { plain: [], indices: [] };
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: N * C * H * H }, () => Math.random()),
    [N, C, H, H],
  );
  const sess = {
    plain: await ort.InferenceSession.create(model(false, N, C, H), { intraOpNumThreads: threads, interOpNumThreads: 1 }),
    indices: await ort.InferenceSession.create(model(true, N, C, H), { intraOpNumThreads: threads, interOpNumThreads: 1 }),
  };
  for (let r = 0; r < 45; r++)
    for (const k of ['plain', 'indices'] as const) {
      const t = performance.now();
      await sess[k].run({ x });
      res[k].push(performance.now() - t);
    }
  const med = (xs: number[]) => xs.slice(5).sort((a, b) => a - b)[20];
  console.log(`N${N} C${C} H${H}: plain ${med(res.plain).toFixed(3)} ms, with indices ${med(res.indices).toFixed(3)} ms`);
}
