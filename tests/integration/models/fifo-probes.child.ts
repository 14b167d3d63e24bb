// Run as a child by hostile-files.test.ts: each probe touches a FIFO made with mkfifo. A probe that blocks would hang
// this process (a FIFO open blocks the thread, no timer fires), so the test kills it after a deadline instead.
// Prints one JSON object: probe name -> the error message it ended with (or 'no error').
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadLabels } from '../../../main/models/labels';
import { inspectModel } from '../../../main/models/inspect';
import { ModelRegistry } from '../../../main/models/registry';
import { SessionCache } from '../../../main/runtime/sessions';
import { tinyNchw } from './tiny-onnx';

const dir = process.argv[2];
const extra = path.join(dir, 'extra');
fs.mkdirSync(path.join(extra, 'labels'), { recursive: true });
const fifo = (f: string) => execFileSync('mkfifo', [f]);
fifo(path.join(dir, 'labels.txt'));
fifo(path.join(extra, 'pipe.onnx'));
fs.writeFileSync(path.join(extra, 'sided.onnx'), tinyNchw());
fifo(path.join(extra, 'sided.json')); // a FIFO as a sidecar
fs.writeFileSync(path.join(extra, 'named.onnx'), tinyNchw());
fifo(path.join(extra, 'labels', 'named.txt'));
fs.writeFileSync(path.join(extra, 'named.json'), JSON.stringify({ name: 'named', labels: { file: 'labels/named.txt' } }));

const out: Record<string, string> = {};
async function probe(name: string, f: () => unknown): Promise<void> {
  try {
    const v = await f();
    out[name] = `no error: ${JSON.stringify(v)}`;
  } catch (e) {
    out[name] = (e as Error).message;
  }
}

const reg = new ModelRegistry({ root: path.join(dir, 'models'), extraDirs: [extra], catalog: [] });
await probe('labels', () => loadLabels(path.join(dir, 'labels.txt')));
await probe('list', () => reg.list().map((m) => `${m.id}:${m.status}:${m.labels}${m.error ? `:${m.error}` : ''}`));
await probe('import', () => reg.import({ path: path.join(extra, 'pipe.onnx') }));
await probe('inspect', () => inspectModel(path.join(extra, 'pipe.onnx')));
await probe('session', () => new SessionCache().get(path.join(extra, 'pipe.onnx')).then(() => 'loaded'));
console.log(JSON.stringify(out));
