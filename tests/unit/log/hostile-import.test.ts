// `runs import` of hostile zips built with fflate: bombs (a 2 MB zip inflating to 2 GiB), foreign entries, malformed
// manifests, a run that fails half-way. Each is refused naming the file, quickly, without allocating the bomb, and
// leaves the log as it was.
import zlib from 'node:zlib';
import { zipSync, Zip, ZipPassThrough, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract';
import { RunStore } from '../../../main/log/store';
import { exportRuns, importRuns, IMPORT_LIMITS } from '../../../main/log/transfer';
import { makeTempHome } from '../../helpers/temp-home';

let a: ReturnType<typeof makeTempHome>;
let b: ReturnType<typeof makeTempHome>;
let src: RunStore;
let dst: RunStore;
beforeEach(() => {
  a = makeTempHome('vs-imp-a-');
  b = makeTempHome('vs-imp-b-');
  src = RunStore.open(a.dir);
  dst = RunStore.open(b.dir);
});
afterEach(() => {
  src.close();
  dst.close();
  a.cleanup();
  b.cleanup();
});

const MiB = 1024 * 1024;
const count = (s: RunStore) => (s.database.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;

/** A zip entry whose deflate stream is `mib` MiB of zeros, made by repeating one sync-flushed block (~1 KB each). */
class ZeroBomb extends ZipPassThrough {
  constructor(
    name: string,
    private readonly mib: number,
  ) {
    super(name);
    this.compression = 8;
  }
  override push(): void {
    const block = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.size = this.mib * MiB;
    this.crc = 0; // never reached: the import stops at its cap
    for (let i = 0; i < this.mib; i++) this.ondata(null, block, false);
    this.ondata(null, new Uint8Array([0x03, 0x00]), true); // final empty fixed-Huffman block
  }
}

function zipWith(files: Zippable, bombs: [string, number][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  for (const [name, mib] of bombs) {
    const bomb = new ZeroBomb(name, mib);
    zip.add(bomb);
    bomb.push();
  }
  for (const [name, data] of Object.entries(files)) {
    const f = new ZipPassThrough(name);
    zip.add(f);
    f.push(data as Uint8Array, true);
  }
  zip.end();
  return new Uint8Array(Buffer.concat(parts));
}

const manifest = (runs: unknown[]) =>
  new TextEncoder().encode(JSON.stringify({ format: 'vision-studio-runs', version: 1, exportedBy: 't', runs }));

function makeRun(id: string): void {
  src.createRun({ id, kind: 'classify', label: `run ${id}`, modelId: 'm', params: { k: 1 }, seed: 1 });
}

async function refusal(zip: Uint8Array, name = 'evil.zip', limits = IMPORT_LIMITS): Promise<StudioError> {
  const t0 = Date.now();
  try {
    importRuns(dst, zip, name, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((e as StudioError).message.startsWith(`${name}: `)).toBe(true);
    expect(count(dst)).toBe(0);
    return e as StudioError;
  }
  throw new Error('expected a refusal');
}

describe('runs import of hostile zips', () => {
  it('stops a 2 MB zip that inflates to 2 GiB at the per-entry cap, while inflating', async () => {
    const zip = zipWith({ 'manifest.json': manifest([]) }, [[`blobs/${'a'.repeat(64)}`, 2048]]);
    expect(zip.length).toBeLessThan(3 * MiB);
    const before = process.memoryUsage().rss;
    const e = await refusal(zip);
    expect(e.message).toMatch(/blobs\/a{64} inflates to more than 512 MB/);
    // Held at most the cap plus one slice's output, never the 2 GiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(IMPORT_LIMITS.entry + 256 * MiB);
  });

  it('caps the total inflated size across entries (limits scaled down 64×)', async () => {
    const bombs: [string, number][] = [3, 4, 5].map((d) => [`blobs/${String(d).repeat(64)}`, 7]);
    const small = { entry: 8 * MiB, manifest: MiB, total: 16 * MiB };
    const e = await refusal(zipWith({ 'manifest.json': manifest([]) }, bombs), 'many.zip', small);
    expect(e.message).toBe('many.zip: the zip inflates to more than 16 MB.');
  });

  it('never inflates entries other than manifest.json and blobs/<sha256>', async () => {
    makeRun('r1');
    const good = exportRuns(src, ['r1']).bytes;
    const files: Zippable = {};
    const unzipped = (await import('fflate')).unzipSync(good);
    for (const [k, v] of Object.entries(unzipped)) files[k] = v;
    const zip = zipWith(files, [
      ['../../escape', 2048],
      ['blobs/not-a-hash', 2048],
    ]);
    const t0 = Date.now();
    expect(importRuns(dst, zip, 'mixed.zip')).toEqual({ imported: ['r1'], skipped: [] });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('validates the manifest with zod, naming the file and the field', async () => {
    const cases: [unknown[], RegExp][] = [
      [[{ id: 'x' }], /manifest\.json: runs\.0\.kind: Invalid input/],
      [[{ id: 'x', kind: 'k', label: 'l', status: 'weird' }], /runs\.0\.status/],
    ];
    for (const [runs, re] of cases) expect((await refusal(zipSync({ 'manifest.json': manifest(runs) }))).message).toMatch(re);
    const deep = `{"format":"vision-studio-runs","version":1,"exportedBy":"t","runs":${'['.repeat(100_000)}1${']'.repeat(100_000)}}`;
    const deepZip = zipSync({ 'manifest.json': new TextEncoder().encode(deep) });
    expect((await refusal(deepZip)).message).toMatch(/manifest\.json is nested deeper than 64 levels/);
    expect((await refusal(zipSync({ 'manifest.json': new TextEncoder().encode('{') }))).message).toMatch(/not valid JSON/);
    expect((await refusal(new TextEncoder().encode('not a zip at all'))).message).toMatch(/evil\.zip: /);
  });

  it('imports all runs or none', async () => {
    makeRun('r1');
    makeRun('r2');
    const { runs } = JSON.parse(
      new TextDecoder().decode((await import('fflate')).unzipSync(exportRuns(src, ['r1', 'r2']).bytes)['manifest.json']),
    ) as {
      runs: Record<string, unknown>[];
    };
    // The second run's item breaks a constraint only the database sees (two items with one index).
    runs[1].items = [
      { index: 0, data: 1 },
      { index: 0, data: 2 },
    ];
    const e = await refusal(zipSync({ 'manifest.json': manifest(runs) }), 'half.zip');
    expect(e.message).toMatch(/half\.zip: could not import .*nothing was imported/);
    expect((await refusal(zipSync({ 'manifest.json': manifest([runs[0], runs[0]]) }), 'twice.zip')).message).toMatch(/lists run r1 twice/);
  });
});
