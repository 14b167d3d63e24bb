// Per-op time of one gradient graph on ONNX Runtime (its profiler), to see where forward+backward goes.
// Usage: npx tsx bench/gradient/profile.ts [--model bench/.cache/vgg19_relu5_1.onnx] [--size 224] [--opt all] [--runs 5] [--objective sumsq|class] [--winograd on|off] [--by op|node] [--layer relu4_2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildGradGraph } from '../../main/onnx/grad-graph.js';
import { loadModel, encodeModel } from '../../main/onnx/proto.js';
import { listLayers, resolveLayer } from '../../main/onnx/layers.js';
import { winogradFeeds } from '../../main/onnx/winograd-weights.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: path.resolve(import.meta.dirname, '../.cache/vgg19_relu5_1.onnx') },
    size: { type: 'string', default: '224' },
    opt: { type: 'string', default: 'all' },
    runs: { type: 'string', default: '5' },
    objective: { type: 'string', default: 'sumsq' },
    winograd: { type: 'string', default: 'on' },
    by: { type: 'string', default: 'op' },
    layer: { type: 'string' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const model = loadModel(values.model!);
const output = values.layer ? resolveLayer(listLayers(model), values.layer)!.tensor : model.graph.outputs[0].name;
const objective =
  values.objective === 'sumsq' ? { kind: 'sumsq' as const, tensor: output } : { kind: 'class' as const, tensor: output, index: 1 };
const graph = buildGradGraph(model, {
  objectives: [{ objective }],
  winograd: values.winograd === 'off' ? false : values.winograd === 'on' ? true : JSON.parse(values.winograd!),
});
const prefix = path.join(os.tmpdir(), `vs-grad-profile-${process.pid}`);
const fixed = await winogradFeeds(graph.winograd);
const session = await ort.InferenceSession.create(encodeModel(graph.model), {
  intraOpNumThreads: Number(values.threads),
  graphOptimizationLevel: values.opt as 'all',
  enableProfiling: true,
  profileFilePrefix: prefix,
});
const [size, sizeW] = values.size!.split('x').map(Number).concat([NaN]).slice(0, 2);
const W = Number.isNaN(sizeW) ? size : sizeW;
const x = new Float32Array(3 * size * W).map(() => Math.random() * 2 - 1);
const runs = Number(values.runs);
let wall = Infinity;
for (let i = 0; i <= runs; i++) {
  const t0 = performance.now();
  await session.run({ ...fixed, [graph.input]: new ort.Tensor('float32', x, [1, 3, size, W]) });
  if (i > 0) wall = Math.min(wall, performance.now() - t0);
}
session.endProfiling();
await session.release();
// onnxruntime-node does not return the file name: it is the prefix plus a timestamp.
const dir = path.dirname(prefix);
const file = path.join(
  dir,
  fs.readdirSync(dir).find((f) => f.startsWith(path.basename(prefix)))!,
);
const events = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; dur: number; args?: { op_name?: string } }[];
fs.rmSync(file);
const byOp = new Map<string, { us: number; n: number }>();
for (const e of events) {
  if (!e.name.endsWith('_kernel_time') || !e.args?.op_name) continue;
  // --by node: group by node name with its numbers dropped (wino/wt_mm, wino/wt_out, grad/dconv, ...).
  const key =
    values.by === 'full'
      ? `${e.args.op_name} ${e.name.replace(/_kernel_time$/, '')}`
      : values.by === 'node'
        ? `${e.args.op_name} ${e.name.replace(/_kernel_time$/, '').replace(/[_/]?\d+/g, '')}`
        : e.args.op_name;
  const s = byOp.get(key) ?? { us: 0, n: 0 };
  s.us += e.dur;
  s.n++;
  byOp.set(key, s);
}
const rows = [...byOp].sort((a, b) => b[1].us - a[1].us);
const total = rows.reduce((s, [, v]) => s + v.us, 0) / (runs + 1);
console.log(`best wall ${wall.toFixed(1)} ms; kernels ${(total / 1000).toFixed(1)} ms per run (averaged over ${runs + 1} incl. warm-up)`);
for (const [op, v] of rows)
  console.log(`${op.padEnd(40)} ${(v.us / (runs + 1) / 1000).toFixed(1).padStart(7)} ms  ${String(v.n / (runs + 1)).padStart(4)} nodes`);
