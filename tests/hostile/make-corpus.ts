// The hostile corpus, generated at test time into a temp folder (nothing binary is committed): truncated, bomb and
// renamed images, FIFOs, symlink loops, folders and dangling links under image and model names, hostile ONNX (absurd
// dims, cycles, deep nesting, external data outside the folder, through a link, past the end of its file, from a FIFO)
// and hostile run-export zips. Each case says which file it is and what a clear error about it must match.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Zip, ZipPassThrough, zipSync } from 'fflate';
import sharp from 'sharp';
import { writeBmp } from '../helpers/bmp-writer';
import { externalWeights, onnxBytes } from './onnx-builder';

export interface HostileCase {
  /** Short id for messages. */
  id: string;
  file: string;
  /** What the error must say besides the file's name. */
  reason: RegExp;
}

const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

function loop(dir: string, name: string): string {
  const a = path.join(dir, name);
  const b = path.join(dir, `.${name}.other`);
  fs.symlinkSync(b, a);
  fs.symlinkSync(a, b);
  return a;
}

/** A PNG of 16x16 whose IHDR claims w x h, CRC fixed so only the size is a lie. */
async function pngClaiming(w: number, h: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  png.writeUInt32BE(w, 16);
  png.writeUInt32BE(h, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A JPEG whose SOF0 claims w x h. */
async function jpegClaiming(w: number, h: number): Promise<Buffer> {
  const jpg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
    .jpeg({ mozjpeg: false, progressive: false })
    .toBuffer();
  for (let i = 2; i < jpg.length - 9;) {
    const marker = jpg[i + 1];
    if (marker === 0xc0 || marker === 0xc2) {
      jpg.writeUInt16BE(h, i + 5);
      jpg.writeUInt16BE(w, i + 7);
      return jpg;
    }
    i += 2 + jpg.readUInt16BE(i + 2);
  }
  throw new Error('no SOF in the JPEG');
}

/** A GIF whose screen and frame claim w x h. */
async function gifClaiming(w: number, h: number): Promise<Buffer> {
  const gif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
    .gif()
    .toBuffer();
  gif.writeUInt16LE(w, 6);
  gif.writeUInt16LE(h, 8);
  const frame = gif.indexOf(0x2c, 13); // image descriptor
  gif.writeUInt16LE(w, frame + 5);
  gif.writeUInt16LE(h, frame + 7);
  return gif;
}

export async function makeImageCorpus(dir: string): Promise<HostileCase[]> {
  fs.mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const put = (id: string, name: string, bytes: Uint8Array | string, reason: RegExp) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    cases.push({ id, file, reason });
  };
  const photo = sharp({
    create: { width: 300, height: 200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  });
  const jpg = await photo.clone().jpeg().toBuffer();
  const png = await photo.clone().png().toBuffer();
  const rgb = await photo.clone().raw().toBuffer();
  const bmp = writeBmp({ width: 300, height: 200, bitsPerPixel: 24, rgb });
  put('truncated jpeg', 'cut.jpg', jpg.subarray(0, jpg.length >> 1), /truncated|cut short/);
  put('truncated png', 'cut.png', png.subarray(0, png.length >> 1), /truncated|corrupt/);
  put('truncated bmp', 'cut.bmp', bmp.subarray(0, bmp.length >> 1), /truncated/);
  put('header-only png', 'header.png', png.subarray(0, 33), /truncated|corrupt/);
  put('png bomb', 'bomb.png', await pngClaiming(30000, 30000), /30000 x 30000 pixels is over the 100 megapixel limit/);
  put('jpeg bomb', 'bomb.jpg', await jpegClaiming(65000, 65000), /65000 x 65000 pixels is over the 100 megapixel limit/);
  put('gif bomb', 'bomb.gif', await gifClaiming(65535, 65535), /65535 x 65535 pixels is over the 100 megapixel limit/);
  const rle = writeBmp({ width: 1, height: 1, bitsPerPixel: 8, rle: true, palette: [[0, 0, 0]], indices: new Uint8Array(1) });
  new DataView(rle.buffer).setInt32(18, 20000, true);
  new DataView(rle.buffer).setInt32(22, 20000, true);
  put('bmp rle8 bomb', 'bomb.bmp', rle, /20000 x 20000 pixels is over the 100 megapixel limit/);
  put('text renamed', 'notes.jpg', 'just some text, not a photo\n', /not an image this studio can read/);
  put('onnx renamed', 'model.png', onnxBytes(), /not an image this studio can read/);
  put('zip renamed', 'archive.jpg', zipSync({ 'a.txt': new Uint8Array([1, 2, 3]) }), /not an image this studio can read/);
  put('empty', 'empty.jpg', new Uint8Array(0), /empty/);
  put('bmp unknown header', 'odd.bmp', Uint8Array.from([0x42, 0x4d, ...new Array(60).fill(7)]), /BMP header|no pixels|truncated/);
  const fifo = path.join(dir, 'pipe.jpg');
  mkfifo(fifo);
  cases.push({ id: 'fifo', file: fifo, reason: /not a regular file \(a FIFO\)/ });
  cases.push({ id: 'symlink loop', file: loop(dir, 'loop.jpg'), reason: /ELOOP|no such file/ });
  fs.mkdirSync(path.join(dir, 'folder.jpg'));
  cases.push({ id: 'folder', file: path.join(dir, 'folder.jpg'), reason: /not a regular file/ });
  fs.symlinkSync(path.join(dir, 'gone.jpg'), path.join(dir, 'dangling.jpg'));
  cases.push({ id: 'dangling link', file: path.join(dir, 'dangling.jpg'), reason: /no such file/ });
  return cases;
}

/** Protobuf bytes of a graph nested `depth` deep through If.then_branch (hand-encoded: protobufjs refuses to). */
function deeplyNested(depth: number): Uint8Array {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return Buffer.from(out);
  };
  const field = (tag: number, body: Buffer) => Buffer.concat([varint((tag << 3) | 2), varint(body.length), body]);
  const str = (tag: number, s: string) => field(tag, Buffer.from(s));
  let graph = Buffer.concat([str(2, 'leaf')]);
  for (let i = 0; i < depth; i++) {
    const attr = Buffer.concat([str(1, 'then_branch'), varint((20 << 3) | 0), varint(5), field(6, graph)]);
    const node = Buffer.concat([str(1, 'c'), str(2, 'y'), str(4, 'If'), field(5, attr)]);
    graph = Buffer.concat([field(1, node), str(2, `g${i}`)]);
  }
  return Buffer.concat([varint(8), varint(8), field(8, Buffer.concat([str(1, ''), varint(16), varint(13)])), field(7, graph)]);
}

/** Each model in its own folder (external data resolves against it). `secret` is a file outside every folder. */
export function makeOnnxCorpus(dir: string): HostileCase[] {
  fs.mkdirSync(dir, { recursive: true });
  const secret = path.join(dir, 'secret.bin');
  fs.writeFileSync(secret, Buffer.alloc(36, 9));
  const cases: HostileCase[] = [];
  const put = (id: string, bytes: Uint8Array | string, reason: RegExp, setup?: (folder: string) => void) => {
    const folder = path.join(dir, id.replace(/[^a-z0-9]+/gi, '-'));
    fs.mkdirSync(folder);
    setup?.(folder);
    const file = path.join(folder, 'model.onnx');
    fs.writeFileSync(file, bytes);
    cases.push({ id, file, reason });
  };
  const weights = (folder: string) => fs.writeFileSync(path.join(folder, 'w.bin'), Buffer.alloc(36, 1));
  put('side 100000', onnxBytes({ input: ['data', [1, 3, 100000, 100000]] }), /side of 100000 pixels, over the studio's limit/);
  put('side 2^31-1', onnxBytes({ input: ['data', [1, 3, 2 ** 31 - 1, 224]] }), /side of 2147483647 pixels|absurd dimension/);
  put(
    'initializer 2^40 elements',
    onnxBytes({
      nodes: [
        { op: 'GlobalAveragePool', inputs: ['data'], outputs: ['pooled'] },
        { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'w'], outputs: ['logits'] },
      ],
      initializers: [{ name: 'w', dims: [3, 2 ** 38], values: [1] }],
    }),
    /824633720832 elements|holds 1 values|absurd|ONNX Runtime could not load/,
  );
  put(
    'cycle',
    onnxBytes({
      nodes: [
        { op: 'Relu', inputs: ['b'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['b'] },
        { op: 'Flatten', inputs: ['a'], outputs: ['logits'] },
      ],
    }),
    /acyclic|cycle/,
  );
  put('nested 2000 deep', deeplyNested(2000), /not an ONNX model|nesting|protobuf|depth|could not load/);
  put(
    'external data outside the folder',
    externalWeights({ location: '../secret.bin' }),
    /outside the model folder|escapes model directory/,
  );
  put('external data absolute', externalWeights({ location: secret }), /outside the model folder|Absolute path not allowed/);
  put('external data through a link', externalWeights({ location: 'w.bin' }), /links outside the model folder|escapes|outside/, (f) =>
    fs.symlinkSync(secret, path.join(f, 'w.bin')),
  );
  put('external length 2 GiB', externalWeights({ location: 'w.bin', length: String(2 ** 31) }), /length:? 2147483648/, weights);
  put(
    'external offset past the end',
    externalWeights({ location: 'w.bin', offset: String(2 ** 40) }),
    /past the end|out of bounds/,
    weights,
  );
  put('external data from a FIFO', externalWeights({ location: 'w.bin' }), /not a regular file|cannot get file size/, (f) =>
    mkfifo(path.join(f, 'w.bin')),
  );
  put('external data missing', externalWeights({ location: 'gone.bin' }), /gone\.bin|does not exist|No such file|ENOENT|not found/);
  const good = onnxBytes();
  put('truncated', good.subarray(0, good.length >> 1), /not an ONNX model|protobuf|could not load|truncated/);
  put(
    'garbage',
    Buffer.from('\x08\x96\x01'.repeat(100) + 'not protobuf at all', 'latin1'),
    /not an ONNX model|protobuf|could not load|no graph/,
  );
  put('empty', new Uint8Array(0), /zero-byte|empty|not an ONNX model|no graph/);
  for (const [id, make, reason] of [
    ['fifo', (f: string) => mkfifo(f), /not a regular file \(a FIFO\)/],
    ['symlink loop', (f: string) => loop(path.dirname(f), path.basename(f)), /ELOOP|symlink loop/],
    ['folder', (f: string) => fs.mkdirSync(f), /not a regular file \(a folder\)/],
  ] as const) {
    const folder = path.join(dir, id.replace(/[^a-z0-9]+/gi, '-'));
    fs.mkdirSync(folder);
    const file = path.join(folder, 'model.onnx');
    make(file);
    cases.push({ id, file, reason });
  }
  return cases;
}

/** A zip whose `name` entry inflates to `mib` MiB of zeros from ~1 KB per MiB (repeated sync-flushed deflate blocks). */
function zipBomb(name: string, mib: number, others: Record<string, Uint8Array> = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  const bomb = new ZipPassThrough(name);
  bomb.compression = 8;
  zip.add(bomb);
  const block = zlib.deflateRawSync(Buffer.alloc(1024 * 1024), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  bomb.size = mib * 1024 * 1024;
  bomb.crc = 0;
  for (let i = 0; i < mib; i++) bomb.ondata(null, block, false);
  bomb.ondata(null, new Uint8Array([0x03, 0x00]), true); // final empty fixed-Huffman block
  for (const [n, data] of Object.entries(others)) {
    const f = new ZipPassThrough(n);
    zip.add(f);
    f.push(data, true);
  }
  zip.end();
  return new Uint8Array(Buffer.concat(parts));
}

/** Run-export zips for `vision-studio runs import`. */
export function makeZipCorpus(dir: string): HostileCase[] {
  fs.mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const put = (id: string, name: string, bytes: Uint8Array | string, reason: RegExp) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    cases.push({ id, file, reason });
  };
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  const head = { format: 'vision-studio-runs', version: 1, exportedBy: 'hostile corpus' };
  put('manifest bomb', 'manifest-bomb.zip', zipBomb('manifest.json', 100), /manifest\.json inflates to more than 64 MB/);
  put(
    'blob bomb',
    'blob-bomb.zip',
    zipBomb(`blobs/${'a'.repeat(64)}`, 600, { 'manifest.json': enc({ ...head, runs: [] }) }),
    /inflates to more than 512 MB/,
  );
  put('not a zip', 'text.zip', 'a text file named .zip\n', /zip|not a Vision Studio run export/i);
  const ok = zipSync({ 'manifest.json': enc({ ...head, runs: [] }) });
  put('truncated', 'cut.zip', ok.subarray(0, ok.length >> 1), /zip|truncated|corrupt|not a Vision Studio run export/i);
  put('no manifest', 'empty.zip', zipSync({ 'readme.txt': enc('hi') }), /no manifest\.json/);
  put('manifest not JSON', 'badjson.zip', zipSync({ 'manifest.json': enc('{ nope') }), /manifest\.json is not valid JSON/);
  put(
    'manifest nested deep',
    'deep.zip',
    zipSync({ 'manifest.json': enc(`{"format":"vision-studio-runs","version":1,"runs":[],"x":${'['.repeat(5000)}${']'.repeat(5000)}}`) }),
    /nested deeper|not valid JSON/,
  );
  put('manifest wrong types', 'types.zip', zipSync({ 'manifest.json': enc({ ...head, runs: [{ id: 7 }] }) }), /manifest\.json: runs\.0/);
  put(
    'traversal names',
    'traversal.zip',
    zipSync({ '../../evil.txt': enc('x'), '/etc/evil': enc('x'), 'manifest.json': enc({ ...head, runs: [] }) }),
    /unexpected entry|not part of a run export|\.\.\/|Imported 0 runs/,
  );
  const fifo = path.join(dir, 'pipe.zip');
  mkfifo(fifo);
  cases.push({ id: 'fifo', file: fifo, reason: /not a regular file \(a FIFO\)/ });
  cases.push({ id: 'symlink loop', file: loop(dir, 'loop.zip'), reason: /ELOOP|no such file/ });
  return cases;
}
