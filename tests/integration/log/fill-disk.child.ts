// Child of disk-full.test.ts, run under `ulimit -f` (a file-size limit: writes past it fail with EFBIG or a short
// write, as on a full disk). Logs one run until the limit bites, then prints what the store threw as one JSON line.
import { RunStore } from '../../../main/log/store';

const dir = process.argv[2];
const store = RunStore.open(dir);
const errors: { what: string; code: string; message: string }[] = [];
const attempt = (what: string, fn: () => void): void => {
  try {
    fn();
  } catch (e) {
    errors.push({ what, code: (e as { code: string }).code, message: (e as Error).message });
  }
};
const seq = store.createRun({ id: 'filling', kind: 'dream', status: 'running', params: { big: true } });
attempt('artifact', () =>
  store.addArtifact(seq, { role: 'output', mime: 'application/octet-stream', bytes: new Uint8Array(8 << 20).fill(7) }),
);
attempt('metrics', () => {
  for (let batch = 0; batch < 200; batch++) {
    store.addMetrics(
      seq,
      Array.from({ length: 10_000 }, (_, i) => ({ step: batch * 10_000 + i, name: 'loss', value: Math.random() })),
    );
  }
});
attempt('finish', () => store.finishRun(seq, 'failed', { error: { code: 'disk_full', message: 'full' } }));
store.close();
process.stdout.write(JSON.stringify(errors) + '\n');
