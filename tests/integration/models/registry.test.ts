// ModelRegistry in a throwaway VISION_STUDIO_HOME: import/update/remove/list, corrupt state on disk, pull from a
// local HTTP server, builtin folders and sidecars.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelMeta, StudioError } from '../../../main/api/contract';
import { loadCatalog, type CatalogEntry } from '../../../main/models/catalog';
import { loadLabels } from '../../../main/models/labels';
import { ModelRegistry } from '../../../main/models/registry';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';
import { tinyNchw, tinyNhwc } from './tiny-onnx';

const home = makeTempHome('vs-registry-');
const prevHome = process.env.VISION_STUDIO_HOME;
process.env.VISION_STUDIO_TEST_HTTP_LOOPBACK = '1'; // test-only: the catalog below is served over plain http from 127.0.0.1
process.env.VISION_STUDIO_HOME = home.dir;
const models = path.join(home.dir, 'models');
const extra = path.join(home.dir, 'extra'); // a read-only model folder (as ../shared/models would be)
const src = path.join(home.dir, 'src');

// A catalog of one tiny model served from 127.0.0.1, so pull() runs for real.
const tinyBytes = Buffer.from(tinyNchw());
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  if (req.url !== '/tiny.onnx') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': tinyBytes.length }).end(tinyBytes);
});
let entry: CatalogEntry;
const template = loadCatalog().find((m) => m.id === 'squeezenet1.1-7')!;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  entry = {
    ...template,
    id: 'tiny-cat',
    name: 'Tiny',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny.onnx`,
    sizeBytes: tinyBytes.length,
    sha256: createHash('sha256').update(tinyBytes).digest('hex'),
  };
  fs.mkdirSync(extra, { recursive: true });
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(extra, 'mobilenet_tiny.onnx'), tinyNchw());
  fs.writeFileSync(path.join(extra, 'other.onnx'), tinyNhwc());
  fs.writeFileSync(path.join(extra, 'broken.onnx'), tinyNchw());
  fs.writeFileSync(path.join(extra, 'broken.json'), '{ not json');
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  process.env.VISION_STUDIO_HOME = prevHome;
  home.cleanup();
});

let reg: ModelRegistry;
beforeEach(() => {
  reg = new ModelRegistry({ extraDirs: [extra], catalog: [entry] });
});

const codeOf = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    return (e as StudioError).code;
  }
  return 'no error';
};

describe('ModelRegistry', () => {
  it('lives under VISION_STUDIO_HOME and lists catalog (missing) and builtin models, all valid ModelMeta', () => {
    expect(reg.root).toBe(models);
    const list = reg.list();
    for (const m of list) expect(() => ModelMeta.parse(m)).not.toThrow();
    expect(list.find((m) => m.id === 'tiny-cat')).toMatchObject({ source: 'catalog', status: 'missing' });
    expect(list.find((m) => m.id === 'mobilenet_tiny')).toMatchObject({ source: 'builtin', status: 'available', family: 'MobileNet' });
    const broken = list.find((m) => m.id === 'broken')!;
    expect(broken.status).toBe('broken');
    expect(broken.error).toMatch(/broken\.json: sidecar is not valid JSON/);
  });

  it('prefers the builtin MobileNet as the default model', () => {
    expect(reg.defaultModelId()).toBe('mobilenet_tiny');
    expect(new ModelRegistry({ extraDirs: [], catalog: [entry] }).defaultModelId()).toBeNull();
  });

  it('imports a model by value, inferring metadata, and de-duplicates ids', async () => {
    const a = await reg.import({ name: 'My Net.onnx', bytes: tinyNchw() });
    expect(a).toMatchObject({
      id: 'my-net',
      name: 'My Net',
      source: 'imported',
      status: 'available',
      numClasses: 3,
      inputSize: [224, 224],
      labels: 'none',
    });
    expect(a.path).toBe(path.join(models, 'imported', 'my-net.onnx'));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.existsSync(path.join(models, 'imported', 'my-net.json'))).toBe(true);
    const b = await reg.import({ name: 'My Net.onnx', bytes: tinyNchw() });
    expect(b.id).toBe('my-net-2');
    // A fresh registry (another process) sees the same state.
    expect(new ModelRegistry({ extraDirs: [extra], catalog: [entry] }).get('my-net').numClasses).toBe(3);
  });

  it('never registers a broken model and leaves no temp files', async () => {
    const before = fs.readdirSync(path.join(models, 'imported')).sort();
    expect(await codeOf(reg.import({ name: 'junk.onnx', bytes: new TextEncoder().encode('not a model') }))).toBe('bad_model');
    expect(await codeOf(reg.import({ name: 'empty.onnx', bytes: new Uint8Array() }))).toBe('bad_model');
    expect(fs.readdirSync(path.join(models, 'imported')).sort()).toEqual(before);
    expect(reg.find('junk')).toBeUndefined();
  });

  it('imports from a path honouring the X.json sidecar and copies its labels', async () => {
    const onnx = path.join(src, 'sided.onnx');
    fs.writeFileSync(onnx, tinyNchw());
    fs.mkdirSync(path.join(src, 'labels'), { recursive: true });
    fs.writeFileSync(path.join(src, 'labels', 'three.txt'), 'red\ngreen\nblue\n');
    const sidecar = {
      name: 'Sided Net',
      file: 'models/sided.onnx',
      input_size: [64, 64],
      preprocessing: {
        channel_order: 'RGB',
        layout: 'NCHW',
        scale: 1.0,
        mean: [128, 128, 128],
        std: [128, 128, 128],
        resize: 'whole image, no crop',
      },
      output: { name: 'logits', softmax_in_graph: false },
      labels: { file: 'labels/three.txt', num_classes: 3, background_index: null, label_offset: 0 },
    };
    fs.writeFileSync(path.join(src, 'sided.json'), JSON.stringify(sidecar));
    const m = await reg.import({ path: onnx });
    expect(m).toMatchObject({ id: 'sided-net', name: 'Sided Net', inputSize: [64, 64], numClasses: 3 });
    expect(m.preprocessing).toMatchObject({ scale: 1, mean: [128, 128, 128], std: [128, 128, 128], resize: 'fill' });
    expect(m.labels).toBe(path.join(models, 'imported', 'sided-net.labels.txt'));
    expect(loadLabels(m.labels)).toEqual(['red', 'green', 'blue']);
    // resolve() takes the path too, with the same sidecar.
    expect(reg.resolve(onnx)).toMatchObject({ name: 'Sided Net', inputSize: [64, 64], labels: path.join(src, 'labels', 'three.txt') });
  });

  it('rejects an import whose sha256 differs from its sidecar', async () => {
    const side = { name: 'x', sha256: '0'.repeat(64) };
    const code = await codeOf(
      reg.import({ name: 'x.onnx', bytes: tinyNchw() }, { name: 'x.json', bytes: new TextEncoder().encode(JSON.stringify(side)) }),
    );
    expect(code).toBe('checksum_mismatch');
    expect(reg.find('x')).toBeUndefined();
  });

  it('updates editable metadata and persists it (imported in its JSON, catalog/builtin in overrides.json)', async () => {
    const m = await reg.import({ name: 'editable.onnx', bytes: tinyNchw() });
    const pre = { ...m.preprocessing, resize: 'fill' as const, mean: [0, 0, 0] as [number, number, number] };
    reg.update(m.id, { name: 'Edited', preprocessing: pre, labels: 'imagenet1k', labelOffset: 1, outputIsProbabilities: true });
    const again = new ModelRegistry({ extraDirs: [extra], catalog: [entry] }).get(m.id);
    expect(again).toMatchObject({ name: 'Edited', labels: 'imagenet1k', labelOffset: 1, outputIsProbabilities: true });
    expect(again.preprocessing.resize).toBe('fill');
    reg.update('mobilenet_tiny', { labels: 'imagenet1001' });
    reg.update('tiny-cat', { name: 'Renamed tiny' });
    const fresh = new ModelRegistry({ extraDirs: [extra], catalog: [entry] });
    expect(fresh.get('mobilenet_tiny').labels).toBe('imagenet1001');
    expect(fresh.get('tiny-cat').name).toBe('Renamed tiny');
    expect(await codeOf(() => reg.update(m.id, { labels: 'no/such/labels.txt' }))).toBe('bad_request');
    expect(await codeOf(() => reg.update('nope', { name: 'x' }))).toBe('not_found');
  });

  it('removes imported models; builtin models are read-only', async () => {
    const m = await reg.import({ name: 'gone.onnx', bytes: tinyNchw() });
    expect(await reg.remove(m.id)).toBe(true);
    expect(reg.find(m.id)).toBeUndefined();
    expect(fs.existsSync(m.path!)).toBe(false);
    expect(await codeOf(reg.remove('mobilenet_tiny'))).toBe('bad_request');
    expect(await codeOf(reg.remove('nope'))).toBe('not_found');
  });

  it('reports corrupt or invalid metadata as a broken model instead of crashing list()', async () => {
    const m = await reg.import({ name: 'corrupt.onnx', bytes: tinyNchw() });
    fs.writeFileSync(path.join(models, 'imported', `${m.id}.json`), '{"id": "corrupt", "name": ');
    fs.writeFileSync(path.join(models, 'imported', 'orphan.json'), JSON.stringify({ hello: 'world' }));
    fs.writeFileSync(path.join(models, 'overrides.json'), '[[[');
    const list = reg.list();
    expect(list.find((x) => x.id === 'corrupt')).toMatchObject({
      status: 'broken',
      error: expect.stringMatching(/corrupt\.json: corrupt JSON/),
    });
    expect(list.find((x) => x.id === 'orphan')).toMatchObject({
      status: 'broken',
      error: expect.stringMatching(/orphan\.json: invalid metadata/),
    });
    expect(list.find((x) => x.id === 'tiny-cat')?.name).toBe('Tiny'); // overrides ignored, not fatal
    fs.rmSync(path.join(models, 'overrides.json'));
    expect(await reg.remove('corrupt')).toBe(true);
    expect(await reg.remove('orphan')).toBe(true);
  });

  it('pulls a catalog model: downloading while in flight, available after, shared between concurrent pulls', async () => {
    served = 0;
    const seen: number[] = [];
    const p1 = reg.pull('tiny-cat', { onProgress: (n) => seen.push(n) });
    const p2 = reg.pull('tiny-cat');
    expect(reg.get('tiny-cat').status).toBe('downloading');
    const [a, b] = await Promise.all([p1, p2]);
    expect(a).toMatchObject({ status: 'available', path: path.join(models, 'catalog', 'tiny-cat.onnx') });
    expect(b.status).toBe('available');
    expect(served).toBe(1);
    expect(seen.at(-1)).toBe(tinyBytes.length);
    expect(reg.defaultModelId()).toBe('mobilenet_tiny');
    expect(await reg.remove('tiny-cat')).toBe(true);
    expect(reg.get('tiny-cat').status).toBe('missing');
    fs.writeFileSync(path.join(models, 'catalog', 'tiny-cat.onnx.part'), tinyBytes.subarray(0, 10));
    expect(reg.get('tiny-cat').notes).toMatch(/Partially downloaded/);
    expect((await reg.pull('tiny-cat')).status).toBe('available');
    expect(await reg.remove('tiny-cat')).toBe(true);
    expect(await codeOf(reg.pull('mobilenet_tiny'))).toBe('bad_request');
  });

  it('resolves ids and paths; resolveAsync inspects a bare path', async () => {
    expect(reg.resolve('mobilenet_tiny').source).toBe('builtin');
    const bare = path.join(src, 'bare_nhwc.onnx');
    fs.writeFileSync(bare, tinyNhwc());
    expect(reg.resolve(bare).preprocessing.layout).toBe('NCHW'); // sync: guessed
    const m = await reg.resolveAsync(bare);
    expect(m).toMatchObject({ id: bare, inputSize: [32, 48], numClasses: 3, outputIsProbabilities: true });
    expect(m.preprocessing.layout).toBe('NHWC');
    expect(reg.resolve(bare).preprocessing.layout).toBe('NHWC'); // now cached
    expect(await codeOf(() => reg.resolve('no-such-model'))).toBe('not_found');
    expect(await codeOf(reg.resolveAsync(path.join(src, 'missing.onnx')))).toBe('not_found');
  });
});

describe.skipIf(!sharedModelsDir)('ModelRegistry with ../shared/models', () => {
  it('lists both shared models as builtin with their sidecar metadata', () => {
    const r = new ModelRegistry({ extraDirs: [sharedModelsDir!], catalog: [] });
    const mb = r.get('mobilenet_v2_1.0_224');
    expect(mb).toMatchObject({
      source: 'builtin',
      status: 'available',
      numClasses: 1001,
      labelOffset: 0,
      outputIsProbabilities: false,
      inputSize: [224, 224],
    });
    expect(mb.preprocessing).toEqual({
      channelOrder: 'RGB',
      layout: 'NCHW',
      scale: 1,
      mean: [128, 128, 128],
      std: [128, 128, 128],
      resize: 'fill',
    });
    expect(mb.labels).toBe(sharedPath('labels', 'imagenet_labels_1001.txt'));
    expect(loadLabels(mb.labels)[0]).toBe('background');
    const dk = r.get('tiny_darknet_224');
    expect(dk.preprocessing.scale).toBeCloseTo(1 / 255, 12);
    expect(loadLabels(dk.labels)).toHaveLength(1000);
    expect(r.defaultModelId()).toBe('mobilenet_v2_1.0_224');
  });

  it('imports tiny_darknet by value with a by-value sidecar, finding its labels in the model folders', async () => {
    const r = new ModelRegistry({ extraDirs: [sharedModelsDir!], catalog: [] });
    const m = await r.import(
      { name: 'tiny_darknet_224.onnx', bytes: fs.readFileSync(sharedPath('tiny_darknet_224.onnx')) },
      { name: 'tiny_darknet_224.json', bytes: fs.readFileSync(sharedPath('tiny_darknet_224.json')) },
    );
    expect(m).toMatchObject({ id: 'tiny_darknet_224-2', status: 'available', numClasses: 1000 });
    expect(loadLabels(m.labels)[0]).toBe(fs.readFileSync(sharedPath('labels', 'darknet_imagenet1k.txt'), 'utf8').split('\n')[0].trim());
  });
});
