// Gradient benchmark (not a CI test): our ONNX forward+backward vs PyTorch autograd on torchvision
// VGG19 (to relu5_1) and ResNet-50 with random weights, for both runner precisions ('fast': the default,
// Winograd + NCHWc; 'exact': direct convs in NCHW). Prints cosine similarity and max relative error
// (max |ours − torch| / max |torch|) against PyTorch float32, the same error of ours and of PyTorch
// float32 against PyTorch float64 (how well-posed the comparison is), our time over PyTorch's and GFLOP/s.
// Usage: npx tsx bench/gradient/run.ts [--sizes 224,512] [--models vgg19_relu5_1,resnet50] [--reps 3] [--modes fast,exact]
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Objective } from '../../main/onnx/loss.js';
import { decodeNpy, encodeNpy } from '../../main/util/npy.js';
import { loadModel } from '../../main/onnx/proto.js';
import { GradRunner, type GradResult } from '../../main/onnx/runner.js';
import { inferShapes } from '../../main/onnx/shapes.js';
import type { Model } from '../../main/onnx/ir.js';
import { requireFastPeerBlas } from '../lib/torch';

requireFastPeerBlas();

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.resolve(here, '../.cache');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '224,512' },
    models: { type: 'string', default: 'vgg19_relu5_1,resnet50' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    modes: { type: 'string', default: 'fast,exact' },
  },
});
const reps = Number(values.reps);
const threads = Number(values.threads);

/** Multiply-adds ×2 of Conv and Gemm in the forward graph at this size. */
function forwardFlops(model: Model, size: number): number {
  const m = {
    ...model,
    graph: { ...model.graph, inputs: model.graph.inputs.map((v) => ({ ...v, shape: [1, 3, size, size] })), valueInfo: new Map() },
  };
  const shapes = inferShapes(m);
  let flops = 0;
  for (const n of m.graph.nodes) {
    if (n.opType === 'Conv') {
      const y = shapes.get(n.outputs[0])!.shape as number[];
      const w = shapes.get(n.inputs[1])!.shape as number[];
      flops += 2 * y.reduce((a, b) => a * b, 1) * w.slice(1).reduce((a, b) => a * b, 1);
    } else if (n.opType === 'Gemm') {
      const w = shapes.get(n.inputs[1])!.shape as number[];
      flops += 2 * w[0] * w[1];
    }
  }
  return flops;
}

const modes = values.modes!.split(',') as ('fast' | 'exact')[];
const runners = new Map(modes.map((m) => [m, new GradRunner({ threads, precision: m })]));
console.log(`${threads} threads, ${reps} interleaved runs each (minimum reported), ${os.cpus()[0]?.model ?? 'cpu'}`);
console.log('targets: cos >= 0.9999, max_rel_err <= 1e-3, ratio <= 0.7 (VGG19 to relu5_1 at 224 and 512 px)');
console.log('model          size  mode    cos        max_rel_err  rel_L2    vs_f64: ours   torch32   ours_ms  torch_ms  ratio  GFLOP/s');

function compare(got: Float32Array, want: Float32Array) {
  let dot = 0,
    na = 0,
    nb = 0,
    maxDiff = 0,
    maxRef = 0,
    sqDiff = 0;
  for (let i = 0; i < want.length; i++) {
    dot += got[i] * want[i];
    na += got[i] * got[i];
    nb += want[i] * want[i];
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    maxRef = Math.max(maxRef, Math.abs(want[i]));
    sqDiff += (got[i] - want[i]) ** 2;
  }
  return { cos: dot / Math.sqrt(na * nb), maxRel: maxDiff / maxRef, relL2: Math.sqrt(sqDiff / nb) };
}

for (const modelName of values.models!.split(',')) {
  for (const size of values.sizes!.split(',').map(Number)) {
    // PyTorch stays up (--serve) so its timed runs interleave with ours: on a shared machine both then
    // see the same background load. We report the minimum of each (least disturbed run).
    const args = [
      '--model',
      modelName,
      '--size',
      String(size),
      '--cache',
      cache,
      '--threads',
      String(threads),
      '--reps',
      '1',
      '--serve',
      '--f64',
    ];
    const py = spawn('/usr/bin/python3', [path.join(here, 'torch_ref.py'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
    const nextJson = async () => {
      const r = await lines.next();
      if (r.done) throw new Error('torch_ref.py ended early');
      return JSON.parse(r.value);
    };
    const ref = await nextJson();
    const model = loadModel(ref.onnx);
    const output = model.graph.outputs[0].name;
    const objective: Objective =
      ref.objective.kind === 'sumsq' ? { kind: 'sumsq', tensor: output } : { kind: 'class', tensor: output, index: ref.objective.index };
    const x = decodeNpy(fs.readFileSync(ref.x));
    const want = decodeNpy(fs.readFileSync(ref.grad)).data;
    const g64 = decodeNpy(fs.readFileSync(ref.grad64)).data;
    const sessions = await Promise.all(modes.map(async (m) => runners.get(m)!.session(model, { objectives: [{ objective }] }, x.shape)));
    const firsts: GradResult[] = [];
    for (const s of sessions) firsts.push(await s.run(x.data, x.shape)); // warm-up (also ORT's first-run allocations)
    const times: number[][] = modes.map(() => []);
    const torchTimes: number[] = [];
    for (let i = 0; i < reps; i++) {
      for (let k = 0; k < sessions.length; k++) times[k].push((await sessions[k].run(x.data, x.shape)).ms);
      py.stdin!.write('run\n');
      torchTimes.push((await nextJson()).ms);
    }
    py.stdin!.end();
    const torchMs = Math.min(...torchTimes);
    const torch64 = compare(want, g64).maxRel;
    const flops = 2 * forwardFlops(model, size); // forward + input-gradient pass ≈ 2× forward MACs
    modes.forEach((mode, k) => {
      const got = firsts[k].grad;
      if (process.env.BENCH_SAVE)
        fs.writeFileSync(path.join(cache, `${modelName}_${size}_${mode}.npy`), encodeNpy({ data: got, shape: x.shape }));
      const c = compare(got, want);
      const ours = Math.min(...times[k]);
      console.log(
        [
          modelName.padEnd(14),
          String(size).padEnd(5),
          mode.padEnd(7),
          c.cos.toFixed(7),
          c.maxRel.toExponential(2).padEnd(12),
          c.relL2.toExponential(2).padEnd(9),
          `        ${compare(got, g64).maxRel.toExponential(2)}`,
          torch64.toExponential(2).padEnd(8),
          ours.toFixed(0).padStart(8),
          torchMs.toFixed(0).padStart(9),
          (ours / torchMs).toFixed(2).padStart(6),
          (flops / ours / 1e6).toFixed(1).padStart(8),
          `  loss ${firsts[k].loss.toPrecision(6)} (torch ${Number(ref.loss).toPrecision(6)})`,
        ].join(' '),
      );
    });
  }
}
for (const r of runners.values()) await r.release();
