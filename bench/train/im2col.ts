// im2col for a conv's weight gradient on ORT's CPU (not a CI test): the one-hot grouped Conv the gradient
// rules use, one Gather of a constant index table from the padded input, and k² Slices stacked by a Concat. Usage:
// npx tsx bench/train/im2col.ts ['N,C,H,k,pad;…']
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../main/onnx/proto';
import { aInt, aInts, DT, floatTensor, int64Tensor, type Model, type Node } from '../../main/onnx/ir';

const threads = Number(process.env.THREADS ?? 2);
type Kind = 'conv' | 'gather' | 'slices';
const KINDS: Kind[] = ['conv', 'gather', 'slices'];
const v = (name: string, shape: number[]) => ({ name, elemType: DT.FLOAT, shape });
const n = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attrs,
});
function model(kind: Kind, N: number, C: number, H: number, k: number, p: number): Uint8Array {
  const K = k * k;
  const Hp = H + 2 * p;
  const O = Hp - k + 1;
  const inits = new Map();
  let nodes: Node[];
  if (kind === 'conv') {
    const onehot = new Array<number>(C * K * K).fill(0);
    for (let ci = 0; ci < C; ci++) for (let j = 0; j < K; j++) onehot[(ci * K + j) * K + j] = 1;
    inits.set('w', floatTensor('w', [C * K, 1, k, k], onehot, DT.FLOAT));
    nodes = [n('c', 'Conv', ['x', 'w'], ['y'], { group: aInt(C), kernel_shape: aInts([k, k]), pads: aInts([p, p, p, p]) })];
  } else if (kind === 'slices') {
    // P[n, c, i·k + j, oy, ox] = xpad[n, c, oy + i, ox + j]: k² strided-free Slices stacked on a new axis.
    inits.set('pads', int64Tensor('pads', [8], [0, 0, p, p, 0, 0, p, p]));
    inits.set('axes', int64Tensor('axes', [2], [2, 3]));
    inits.set('ax2', int64Tensor('ax2', [1], [2]));
    inits.set('shape', int64Tensor('shape', [3], [0, C * K, -1]));
    nodes = [n('p', 'Pad', ['x', 'pads'], ['xp'])];
    const parts: string[] = [];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        inits.set(`s${i}_${j}`, int64Tensor(`s${i}_${j}`, [2], [i, j]));
        inits.set(`e${i}_${j}`, int64Tensor(`e${i}_${j}`, [2], [i + O, j + O]));
        nodes.push(n(`sl${i}_${j}`, 'Slice', ['xp', `s${i}_${j}`, `e${i}_${j}`, 'axes'], [`t${i}_${j}`]));
        nodes.push(n(`u${i}_${j}`, 'Unsqueeze', [`t${i}_${j}`, 'ax2'], [`u${i}_${j}`]));
        parts.push(`u${i}_${j}`);
      }
    nodes.push(n('cat', 'Concat', parts, ['cat'], { axis: aInt(2) }));
    nodes.push(n('r', 'Reshape', ['cat', 'shape'], ['y']));
  } else {
    const idx: number[] = [];
    for (let c = 0; c < C; c++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) for (let oy = 0; oy < O; oy++) for (let ox = 0; ox < O; ox++) idx.push((c * Hp + oy + i) * Hp + ox + j);
    inits.set('idx', int64Tensor('idx', [C * K, O * O], idx));
    inits.set('pads', int64Tensor('pads', [8], [0, 0, p, p, 0, 0, p, p]));
    inits.set('flat', int64Tensor('flat', [2], [0, -1]));
    nodes = [
      n('p', 'Pad', ['x', 'pads'], ['xp']),
      n('r', 'Reshape', ['xp', 'flat'], ['xf']),
      n('g', 'Gather', ['xf', 'idx'], ['y'], { axis: aInt(1) }),
    ];
  }
  const m: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'x',
    baseDir: null,
    graph: {
      name: 'g',
      inputs: [v('x', [N, C, H, H])],
      outputs: [{ name: 'y', elemType: DT.FLOAT }],
      initializers: inits,
      valueInfo: new Map(),
      nodes,
    },
  };
  return encodeModel(m);
}
const cases = (process.argv[2] ?? '64,1,28,5,2;64,6,12,5,0;128,16,32,3,1').split(';').map((s) => s.split(',').map(Number));
for (const [N, C, H, kSize, p] of cases) {
  const res = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: N * C * H * H }, () => Math.random()),
    [N, C, H, H],
  );
  const opts = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const sess = Object.fromEntries(
    await Promise.all(KINDS.map(async (k) => [k, await ort.InferenceSession.create(model(k, N, C, H, kSize, p), opts)] as const)),
  ) as Record<Kind, ort.InferenceSession>;
  const ref = (await sess.conv.run({ x })).y.data as Float32Array;
  const same: string[] = [];
  for (const k of KINDS) {
    const o = (await sess[k].run({ x })).y.data as Float32Array;
    if (o.length === ref.length && o.every((q, i) => q === ref[i])) same.push(k);
  }
  for (let r = 0; r < 45; r++)
    for (const key of KINDS) {
      const t = performance.now();
      await sess[key].run({ x });
      res[key].push(performance.now() - t);
    }
  const med = (xs: number[]) => xs.slice(5).sort((q, w) => q - w)[20];
  console.log(
    `N${N} C${C} H${H} k${kSize} p${p}: ${KINDS.map((k) => `${k} ${med(res[k]).toFixed(3)} ms`).join(', ')} (equal to the conv's: ${same.join(', ')}); load ${os.loadavg()[0].toFixed(1)}`,
  );
}
