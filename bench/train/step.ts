// Training-step benchmark (not a CI test): forward + loss + backward of every parameter in one ORT
// session.run with the weights fed (main/train/graph), against PyTorch's loss.backward() on the same
// architecture (torch_step.py), both on the same threads.
// Usage: npx tsx bench/train/step.ts [--threads 2] [--reps 20] [--cases lenet5:64:1:28,lenet5:64:3:32,resnet20:128:3:32] [--no-peer]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../main/onnx/proto.js';
import { seededRng } from '../../main/optim/rng.js';
import { parameterNames } from '../../main/train/graph/prepare.js';
import { buildTrainGraph } from '../../main/train/graph/train-graph.js';
import { ARCHITECTURES, type ArchName } from '../../main/train/models/arch.js';
import { median, requireFastPeerBlas, runPython } from '../lib/torch';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    reps: { type: 'string', default: '20' },
    cases: { type: 'string', default: 'lenet5:64:1:28,lenet5:64:3:32,resnet20:128:3:32' },
    'no-peer': { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads);
const reps = Number(values.reps);

async function ours(arch: ArchName, n: number, channels: 1 | 3, size: number) {
  const forward = ARCHITECTURES[arch].build({ channels, size, classes: 10, seed: 1 });
  const trainable = parameterNames(forward);
  let t0 = performance.now();
  const tg = buildTrainGraph(forward, { trainable, dropoutSeedable: true });
  const buildMs = performance.now() - t0;
  t0 = performance.now();
  const s = await ort.InferenceSession.create(encodeModel(tg.model), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const sessionMs = performance.now() - t0;
  const r = seededRng(1);
  const feeds: Record<string, ort.Tensor> = {
    [tg.input]: new ort.Tensor(
      'float32',
      Float32Array.from({ length: n * channels * size * size }, () => r.next()),
      [n, channels, size, size],
    ),
    [tg.labels]: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: n }, () => BigInt(r.int(0, 9))),
      [n],
    ),
  };
  for (const p of tg.params)
    feeds[p.name] = new ort.Tensor('float32', forward.graph.initializers.get(p.name)!.data as Float32Array, p.shape);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage();
    await s.run(feeds);
    const c = process.cpuUsage(c0);
    if (i >= 3) {
      times.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  await s.release();
  const params = tg.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  return { buildMs, sessionMs, ms: median(times), min: Math.min(...times), cpu: median(cpu), params };
}

if (!values['no-peer']) requireFastPeerBlas();
// The peer's OpenMP threads wait passively too, so both CPU times count work.
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
console.log(`threads ${threads}, ${reps} timed steps after 3 warm-up; wall median (min) ms per step, CPU ms per step`);
for (const c of values.cases.split(',')) {
  const [arch, n, ch, size] = c.split(':');
  const o = await ours(arch as ArchName, Number(n), Number(ch) as 1 | 3, Number(size));
  const line =
    `${arch} ${n}×${ch}×${size}×${size} (${o.params} params): ours ${o.ms.toFixed(1)} (${o.min.toFixed(1)}) ms, cpu ${o.cpu.toFixed(1)} ` +
    `[graph ${o.buildMs.toFixed(0)} ms, session ${o.sessionMs.toFixed(0)} ms]`;
  if (values['no-peer']) {
    console.log(line);
    continue;
  }
  const t = runPython<{ ms: number; min: number; cpu: number }>(path.join(here, 'torch_step.py'), [
    arch,
    n,
    ch,
    size,
    String(threads),
    String(reps),
  ]);
  console.log(
    `${line}; torch ${t.ms.toFixed(1)} (${t.min.toFixed(1)}) ms, cpu ${t.cpu.toFixed(1)}; ratio ${(o.ms / t.ms).toFixed(2)} (min ${(o.min / t.min).toFixed(2)}, cpu ${(o.cpu / t.cpu).toFixed(2)})`,
  );
}
