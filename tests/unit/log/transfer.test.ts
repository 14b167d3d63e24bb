// Export -> import round trip on real stores: the imported run is the same run, and exporting it again gives the
// same bytes. Outputs inside a result (Uint8Array) travel as artifacts.
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRecorder } from '../../../main/log/recorder';
import { RunStore } from '../../../main/log/store';
import { exportRuns, importRuns } from '../../../main/log/transfer';
import { makeTempHome } from '../../helpers/temp-home';

let a: ReturnType<typeof makeTempHome>;
let b: ReturnType<typeof makeTempHome>;
let src: RunStore;
let dst: RunStore;
beforeEach(() => {
  a = makeTempHome('vs-exp-a-');
  b = makeTempHome('vs-exp-b-');
  src = RunStore.open(a.dir);
  dst = RunStore.open(b.dir);
});
afterEach(() => {
  src.close();
  dst.close();
  a.cleanup();
  b.cleanup();
});

const png = (r: number) =>
  sharp({ create: { width: 8, height: 6, channels: 3, background: { r, g: 0, b: 0 } } })
    .png()
    .toBuffer()
    .then((x) => new Uint8Array(x));

async function makeRun(id: string): Promise<void> {
  const seq = src.createRun({
    id,
    kind: 'dream',
    label: 'Dream of a lake',
    modelId: 'vgg16',
    modelSha256: 'f'.repeat(64),
    params: { octaves: 4, lr: 0.015 },
    seed: 123,
  });
  const rec = new RunRecorder(src, seq, id);
  rec.start();
  rec.artifact('input', 'lake.png', await png(10), 0);
  for (let s = 0; s < 300; s++) rec.metric(s, 'loss', Math.exp(-s / 50) + s * 1e-7);
  rec.artifact('preview', 'step 100', await png(100), 100);
  rec.item(0, { note: 'per-item' });
  rec.finish('done', { result: { image: await png(200), steps: 300 } });
  src.tag(id, ['lake', 'best'], []);
  src.note(id, 'octave 4 looks right');
}

describe('export and import', () => {
  it('round-trips runs identically, outputs included, and re-exports the same bytes', async () => {
    await makeRun('run-1');
    await makeRun('run-2');
    const original = exportRuns(src, ['run-1', 'run-2']);
    expect(importRuns(dst, original.bytes)).toEqual({ imported: ['run-1', 'run-2'], skipped: [] });
    for (const id of ['run-1', 'run-2']) {
      const x = src.get(id);
      const y = dst.get(id);
      expect(y.artifacts.map((t) => ({ ...t, id: 0 }))).toEqual(x.artifacts.map((t) => ({ ...t, id: 0 })));
      expect({ ...y, artifacts: [], thumbnail: 0, result: null }).toEqual({ ...x, artifacts: [], thumbnail: 0, result: null });
      // The output image is an artifact, referenced from the result; both point to the same bytes.
      const ref = (r: typeof x) => (r.result as { image: { artifact: number } }).image.artifact;
      expect(dst.artifact(ref(y)).bytes).toEqual(src.artifact(ref(x)).bytes);
      expect(y.metrics[0].values).toHaveLength(300);
    }
    expect(exportRuns(dst, ['run-1', 'run-2']).bytes).toEqual(original.bytes);
    expect(dst.database.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('skips runs already present and refuses damaged files', async () => {
    await makeRun('run-1');
    const { bytes } = exportRuns(src, ['run-1']);
    expect(importRuns(src, bytes)).toEqual({ imported: [], skipped: ['run-1'] });
    // Flip a byte inside a stored (uncompressed) blob: its sha256 no longer matches.
    const damaged = bytes.slice();
    const at = damaged.findIndex(
      (_, i) => damaged[i] === 0x49 && damaged[i + 1] === 0x44 && damaged[i + 2] === 0x41 && damaged[i + 3] === 0x54,
    );
    damaged[at + 8] ^= 0xff;
    expect(() => importRuns(dst, damaged, 'bad.zip')).toThrow(/missing or damaged|not a Vision Studio/);
    expect(dst.list().total).toBe(0);
    expect(() => importRuns(dst, new TextEncoder().encode('hello'), 'x.zip')).toThrow(/not a Vision Studio run export/);
  });
});
