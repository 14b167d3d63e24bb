// Gradient benchmark (not a CI test): our ONNX forward+backward vs PyTorch autograd on torchvision
// VGG19 (to relu5_1) and ResNet-50 with random weights. Prints cosine similarity, max relative error
// (max |ours − torch| / max |torch|), our time over PyTorch's and the GFLOP/s we reach.
// Usage: npx tsx bench/gradient/run.ts [--sizes 224,512] [--models vgg19_relu5_1,resnet50] [--reps 3] [--opt extended|all] [--f64]
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
import { GradRunner } from '../../main/onnx/runner.js';
import { inferShapes } from '../../main/onnx/shapes.js';
import type { Model } from '../../main/onnx/ir.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.resolve(here, '../.cache');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '224,512' },
    models: { type: 'string', default: 'vgg19_relu5_1,resnet50' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    f64: { type: 'boolean', default: false },
    /** ORT graph optimisation level: 'all' (the runner's default: NCHWc kernels) or 'extended' (bit-level agreement with PyTorch at 224). */
    opt: { type: 'string', default: 'all' },
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

const runner = new GradRunner({ threads, graphOptimizationLevel: values.opt as 'extended' | 'all' });
console.log(
  `ORT level ${values.opt}, threads ${threads}, ${reps} interleaved runs each (minimum reported), ${os.cpus()[0]?.model ?? 'cpu'}`,
);
console.log(
  'model            size  cos        max_rel_err  rel_L2    ours_ms  torch_ms  ratio  GFLOP/s(ours)  targets: cos>=0.9999 err<=1e-3 ratio<=0.7',
);
for (const modelName of values.models!.split(',')) {
  for (const size of values.sizes!.split(',').map(Number)) {
    // PyTorch stays up (--serve) so its timed runs interleave with ours: on a shared machine both then
    // see the same background load. We report the minimum of each (least disturbed run).
    const py = spawn(
      '/usr/bin/python3',
      [
        path.join(here, 'torch_ref.py'),
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
        ...(values.f64 ? ['--f64'] : []),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
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
    const session = await runner.session(model, { objectives: [{ objective }] }, x.shape);
    const first = await session.run(x.data, x.shape); // warm-up (also ORT's first-run allocations)
    const times: number[] = [];
    const torchTimes: number[] = [];
    for (let i = 0; i < reps; i++) {
      times.push((await session.run(x.data, x.shape)).ms);
      py.stdin!.write('run\n');
      torchTimes.push((await nextJson()).ms);
    }
    py.stdin!.end();
    ref.torch_ms = Math.min(...torchTimes);
    const got = first.grad;
    if (process.env.BENCH_SAVE)
      fs.writeFileSync(path.join(cache, `${modelName}_${size}_ours.npy`), encodeNpy({ data: got, shape: x.shape }));
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
    const ours = Math.min(...times);
    const flops = 2 * forwardFlops(model, size); // forward + input-gradient pass ≈ 2× forward MACs
    console.log(
      `${modelName.padEnd(16)} ${String(size).padEnd(5)} ${(dot / Math.sqrt(na * nb)).toFixed(7)}  ${(maxDiff / maxRef).toExponential(2)}     ${Math.sqrt(sqDiff / nb).toExponential(2)}  ${ours.toFixed(0).padStart(7)}  ${ref.torch_ms.toFixed(0).padStart(8)}  ${(ours / ref.torch_ms).toFixed(2).padStart(5)}  ${(flops / ours / 1e6).toFixed(1).padStart(13)}   loss ours ${first.loss.toPrecision(6)} torch ${Number(ref.loss).toPrecision(6)}`,
    );
    if (ref.grad64) {
      // Conditioning baseline: how far float32 PyTorch itself is from float64 PyTorch on this input.
      const g64 = decodeNpy(fs.readFileSync(ref.grad64)).data;
      const err = (a: Float32Array) => {
        let md = 0,
          mr = 0;
        for (let i = 0; i < g64.length; i++) {
          md = Math.max(md, Math.abs(a[i] - g64[i]));
          mr = Math.max(mr, Math.abs(g64[i]));
        }
        return (md / mr).toExponential(2);
      };
      console.log(`${''.padEnd(22)} vs float64 autograd: max_rel_err ours ${err(got)}, torch float32 ${err(want)}`);
    }
    await runner.release();
  }
}
