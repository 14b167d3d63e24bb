// Catalog-style robustness (not CI): torchvision architectures exported at the opsets the ONNX zoo uses
// (7–13), random weights; our input gradient of one class logit vs PyTorch autograd.
// Usage: npx tsx bench/gradient/zoo.ts [--only alexnet,googlenet] [--size 224]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultOpset } from '../../main/onnx/ir.js';
import { decodeNpy } from '../../main/util/npy.js';
import { loadModel } from '../../main/onnx/proto.js';
import { GradRunner } from '../../main/onnx/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.resolve(here, '../.cache');
const { values } = parseArgs({ options: { only: { type: 'string', default: '' }, size: { type: 'string', default: '224' } } });
const lines = execFileSync(
  '/usr/bin/python3',
  [path.join(here, 'zoo_ref.py'), '--cache', cache, '--size', values.size!, '--only', values.only!],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
  .trim()
  .split('\n')
  .filter((l) => l.startsWith('{'));
const runner = new GradRunner({ threads: 2 });
console.log('model               opset  ops  dynamic  cos         rel_L2     loss ours / torch');
for (const line of lines) {
  const ref = JSON.parse(line);
  if (ref.error) {
    console.log(`${ref.name.padEnd(20)} export failed: ${ref.error}`);
    continue;
  }
  try {
    const model = loadModel(ref.onnx);
    const ops = new Set(model.graph.nodes.map((n) => n.opType));
    const x = decodeNpy(fs.readFileSync(ref.x));
    const want = decodeNpy(fs.readFileSync(ref.grad)).data;
    const out = model.graph.outputs[0].name;
    const session = await runner.session(model, { objectives: [{ objective: { kind: 'class', tensor: out, index: 3 } }] }, x.shape);
    const r = await session.run(x.data, x.shape);
    let dot = 0,
      na = 0,
      nb = 0,
      sq = 0;
    for (let i = 0; i < want.length; i++) {
      dot += r.grad[i] * want[i];
      na += r.grad[i] ** 2;
      nb += want[i] ** 2;
      sq += (r.grad[i] - want[i]) ** 2;
    }
    console.log(
      `${ref.name.padEnd(20)} ${String(defaultOpset(model)).padEnd(6)} ${String(ops.size).padEnd(4)} ${String(session.graph.dynamic).padEnd(8)} ${(dot / Math.sqrt(na * nb)).toFixed(7)}  ${Math.sqrt(sq / nb).toExponential(2)}   ${r.loss.toPrecision(6)} / ${Number(ref.loss).toPrecision(6)}`,
    );
  } catch (e) {
    console.log(`${ref.name.padEnd(20)} FAILED: ${(e as Error).message.slice(0, 300)}`);
  }
  await runner.release();
}
