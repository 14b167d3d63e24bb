// Files the user did not choose: labels only from built-in sets or the studio's own folder, sidecar labels only inside
// the model's folder (symlinks resolved), model ids only from the registry for requests, regular files only (real
// FIFOs from mkfifo) and sizes checked before reading (sparse files of 3 GiB).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract';
import { loadLabels } from '../../../main/models/labels';
import { ModelRegistry } from '../../../main/models/registry';
import { makeTempHome } from '../../helpers/temp-home';
import { tinyNchw, tinyOnnx } from './tiny-onnx';

const home = makeTempHome('vs-hostile-files-');
afterAll(() => home.cleanup());
const secret = path.join(home.dir, 'secret.txt'); // a file outside every model folder
fs.writeFileSync(secret, 'password\nhunter2\n');

let n = 0;
let root: string;
let extra: string;
let reg: ModelRegistry;
beforeEach(() => {
  root = path.join(home.dir, `case${++n}`);
  extra = path.join(root, 'extra');
  fs.mkdirSync(path.join(extra, 'labels'), { recursive: true });
  reg = new ModelRegistry({ root: path.join(root, 'models'), extraDirs: [extra], catalog: [] });
});

const errorOf = async (f: () => unknown): Promise<StudioError> => {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    return e as StudioError;
  }
  throw new Error('expected an error');
};

function model(dir: string, stem: string, sidecar?: object): string {
  const file = path.join(dir, `${stem}.onnx`);
  fs.writeFileSync(file, tinyNchw());
  if (sidecar) fs.writeFileSync(path.join(dir, `${stem}.json`), JSON.stringify(sidecar));
  return file;
}

describe('labels', () => {
  it('refuses labels outside the built-in sets and the studio folder, with a clear message', async () => {
    model(extra, 'net');
    for (const labels of ['/etc/passwd', secret]) {
      const e = await errorOf(() => reg.update('net', { labels }));
      expect(e.code).toBe('bad_request');
      expect(e.message).toContain(`labels "${labels}"`);
      expect(e.message).toMatch(/built-in set .* or a labels file the studio keeps in its own folder/);
    }
    expect(reg.get('net').labels).not.toBe('/etc/passwd');
    expect(reg.update('net', { labels: 'imagenet1k' }).labels).toBe('imagenet1k');
  });

  it('accepts a labels file an import copied into the studio folder, and an unchanged value', async () => {
    fs.writeFileSync(path.join(extra, 'labels', 'abc.txt'), 'a\nb\nc\n');
    // By value (a drop): the sidecar's labels file is found in the model folders and copied in.
    const side = { name: 'mine.json', bytes: Buffer.from(JSON.stringify({ name: 'mine', labels: { file: 'labels/abc.txt' } })) };
    const imported = await reg.import({ name: 'mine.onnx', bytes: tinyNchw() }, side);
    expect(imported.labels).toBe(path.join(root, 'models', 'imported', 'mine.labels.txt'));
    model(extra, 'other', { name: 'other', labels: { file: 'labels/abc.txt' } });
    expect(reg.update('other', { labels: imported.labels }).labels).toBe(imported.labels);
    expect(loadLabels(reg.get('other').labels)).toEqual(['a', 'b', 'c']);
    // The settings dialog sends the current value back unchanged: a builtin model's own labels file stays allowed.
    model(extra, 'third', { name: 'third', labels: { file: 'labels/abc.txt' } });
    const own = reg.get('third').labels;
    expect(reg.update('third', { name: 'Third', labels: own }).labels).toBe(own);
  });

  it('ignores a labels path written into overrides.json or an imported JSON by hand', async () => {
    model(extra, 'net');
    fs.mkdirSync(path.join(root, 'models'), { recursive: true });
    fs.writeFileSync(path.join(root, 'models', 'overrides.json'), JSON.stringify({ net: { labels: secret, name: 'Renamed' } }));
    expect(reg.get('net')).toMatchObject({ name: 'Renamed' });
    expect(reg.get('net').labels).not.toBe(secret);
    const m = await reg.import({ name: 'imp.onnx', bytes: tinyNchw() });
    const json = path.join(root, 'models', 'imported', `${m.id}.json`);
    fs.writeFileSync(json, JSON.stringify({ ...JSON.parse(fs.readFileSync(json, 'utf8')), labels: '../../../secret.txt' }));
    expect(reg.get(m.id).labels).toBe('none');
    expect(reg.get(m.id).notes).toMatch(/outside the studio's folder/);
  });
});

describe('sidecar labels', () => {
  it('takes a labels file only inside the model folder, symlinks resolved', async () => {
    fs.symlinkSync(secret, path.join(extra, 'labels', 'link.txt'));
    const cases: [string, string][] = [
      ['abs', secret],
      ['up', '../../secret.txt'],
      ['link', 'labels/link.txt'],
      ['etc', '/etc/passwd'],
    ];
    for (const [stem, file] of cases) {
      model(extra, stem, { name: stem, labels: { file } });
      const m = reg.get(stem);
      expect({ stem, labels: m.labels }).toEqual({ stem, labels: 'none' });
      expect(m.notes).toMatch(/not found inside the model's folder/);
    }
    // Import by path with such a sidecar copies nothing from outside.
    const src = path.join(root, 'src');
    fs.mkdirSync(src);
    const m = await reg.import({ path: model(src, 'abs2', { name: 'abs2', labels: { file: secret } }) });
    expect(m.labels).toBe('none');
    expect(fs.existsSync(path.join(root, 'models', 'imported', 'abs2.labels.txt'))).toBe(false);
  });

  it('still takes an absolute path inside the folder (what the training export writes)', () => {
    fs.writeFileSync(path.join(extra, 'labels', 'two.txt'), 'x\ny\n');
    model(extra, 'trained', { name: 'trained', labels: { file: path.join(extra, 'labels', 'two.txt') } });
    expect(loadLabels(reg.get('trained').labels)).toEqual(['x', 'y']);
  });
});

describe('model ids from requests', () => {
  it('resolveId takes registry ids only and says the same for an existing and a missing path', async () => {
    const file = model(extra, 'net');
    expect(reg.resolveId('net').id).toBe('net');
    const a = await errorOf(() => reg.resolveId(file));
    const b = await errorOf(() => reg.resolveId(path.join(extra, 'missing.onnx')));
    expect(a.code).toBe('not_found');
    expect(a.message).toMatch(/not a model id/);
    expect(b.message.replace('missing', 'net')).toBe(a.message);
    // The CLI keeps resolving paths through resolveAsync.
    expect((await reg.resolveAsync(file)).path).toBe(file);
  });
});

describe('sizes and file types', () => {
  it('refuses oversized labels, sidecars and models before reading them (sparse files)', async () => {
    const big = path.join(root, 'big.txt');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 9 * 1024 * 1024);
    expect((await errorOf(() => loadLabels(big))).message).toMatch(/over the 8 MB limit/);
    model(extra, 'fat');
    fs.writeFileSync(path.join(extra, 'fat.json'), '');
    fs.truncateSync(path.join(extra, 'fat.json'), 2 * 1024 * 1024);
    expect(reg.get('fat')).toMatchObject({ status: 'broken', error: expect.stringMatching(/over the 1 MB limit/) });
    const huge = path.join(root, 'huge.onnx');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 3 * 1024 ** 3); // 3 GiB, no blocks on disk
    const t0 = Date.now();
    expect((await errorOf(() => reg.import({ path: huge }))).message).toMatch(/huge\.onnx: 3072 MB, over the 2048 MB limit/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('never blocks on a FIFO as labels file, sidecar, labels named by a sidecar, or .onnx', async () => {
    const dir = path.join(root, 'fifo');
    fs.mkdirSync(dir);
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', path.resolve('tests/integration/models/fifo-probes.child.ts'), dir],
        { timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`probe child failed or hung: ${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
    expect(r.labels).toMatch(/labels\.txt: not a regular file \(a FIFO\)/);
    expect(r.list).toMatch(/pipe:broken:[^"]*pipe\.onnx: not a regular file/);
    expect(r.list).toMatch(/sided:broken:[^"]*sided\.json: not a regular file \(a FIFO\)/);
    expect(r.list).toMatch(/named:available:none/); // the FIFO labels file is not taken
    expect(r.import).toMatch(/pipe\.onnx: not a regular file \(a FIFO\)/);
    expect(r.inspect).toMatch(/pipe\.onnx: not a regular file/);
    expect(r.session).toMatch(/pipe\.onnx: not a regular file/);
  }, 60_000);
});

describe('input sides capped before anything is allocated', () => {
  const wide = (side: number) =>
    tinyOnnx({
      input: ['data', [1, 3, side, side]],
      output: ['logits', [1, 3]],
      nodes: [
        { op: 'GlobalAveragePool', inputs: ['data'], outputs: ['pooled'] },
        { op: 'Flatten', inputs: ['pooled'], outputs: ['logits'] },
      ],
    });

  it('refuses models declaring sides of 100000 or 2^31-1 at import as bad_model naming the file', async () => {
    for (const side of [100_000, 2 ** 31 - 1]) {
      const e = await errorOf(() => reg.import({ name: `wide${side}.onnx`, bytes: wide(side) }));
      expect(e.code).toBe('bad_model');
      expect(e.message).toMatch(new RegExp(`^wide${side}\\.onnx: input "data" .* side of ${side} pixels, over the studio's limit of 8192`));
    }
    expect(reg.list().filter((m) => m.source === 'imported')).toEqual([]);
    // 8192 itself is fine.
    expect((await reg.import({ name: 'edge.onnx', bytes: wide(8192) })).inputSize).toEqual([8192, 8192]);
  });

  it('refuses a sidecar saying 200000 (import and folder listing), an edit and a hand-edited JSON', async () => {
    const side = { name: 'big.json', bytes: Buffer.from(JSON.stringify({ name: 'big', input_size: [200000, 200000] })) };
    const e = await errorOf(() => reg.import({ name: 'big.onnx', bytes: tinyNchw() }, side));
    expect(e).toMatchObject({ code: 'bad_model', message: expect.stringMatching(/^big\.json: input_size has a side of 200000 pixels/) });
    model(extra, 'big', { name: 'big', input_size: [224, 224], preprocessing: { resize: 'shorter-then-crop', resize_to: 90000 } });
    expect(reg.get('big')).toMatchObject({
      status: 'broken',
      error: expect.stringMatching(/big\.json: the resize before the crop has a side of 90000/),
    });

    const m = await reg.import({ name: 'ok.onnx', bytes: tinyNchw() });
    const edit = await errorOf(() =>
      reg.update(m.id, { preprocessing: { ...m.preprocessing, resize: 'shorter-then-crop', resizeTo: 100_000 } }),
    );
    expect(edit).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/side of 100000 pixels/) });
    const json = path.join(root, 'models', 'imported', `${m.id}.json`);
    fs.writeFileSync(json, JSON.stringify({ ...JSON.parse(fs.readFileSync(json, 'utf8')), inputSize: [50000, 50000] }));
    expect(reg.get(m.id)).toMatchObject({ status: 'broken', error: expect.stringMatching(/ok\.onnx: the input size has a side of 50000/) });
  });
});
