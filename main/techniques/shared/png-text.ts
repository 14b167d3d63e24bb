// PNG text chunks for provenance: tEXt (Latin-1) and iTXt (UTF-8), inserted right after IHDR, and a
// reader for them. Hand-written with zlib.crc32 (Node ≥ 20.15): the format is a length, a type, the
// data and a CRC over type + data.
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(Buffer.from(type, 'latin1'))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function checkKeyword(k: string): void {
  if (!/^[\x20-\x7e]{1,79}$/.test(k) || k.startsWith(' ') || k.endsWith(' ')) throw new Error(`bad PNG text keyword "${k}"`);
}

const isLatin1 = (t: string) => [...t].every((ch) => ch.charCodeAt(0) > 0 && ch.charCodeAt(0) <= 0xff);

/** Latin-1 text goes in tEXt; anything else in an uncompressed iTXt. */
function textChunk(keyword: string, text: string): Buffer {
  checkKeyword(keyword);
  if (isLatin1(text)) return chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
  return chunk('iTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

interface RawChunk {
  type: string;
  start: number;
  end: number;
  data: Buffer;
}

function chunks(png: Buffer): RawChunk[] {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  const out: RawChunk[] = [];
  let o = 8;
  while (o + 12 <= png.length) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const end = o + 12 + len;
    if (end > png.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    out.push({ type, start: o, end, data: png.subarray(o + 8, o + 8 + len) });
    o = end;
    if (type === 'IEND') break;
  }
  return out;
}

/** A copy of `png` with one text chunk per entry, after IHDR. */
export function addPngText(png: Uint8Array, entries: Record<string, string>): Buffer {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const list = chunks(buf);
  const ihdr = list[0];
  if (!ihdr || ihdr.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const extra = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([buf.subarray(0, ihdr.end), ...extra, buf.subarray(ihdr.end)]);
}

/** Every tEXt, iTXt (uncompressed or deflated) and zTXt entry of a PNG. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const out: Record<string, string> = {};
  for (const c of chunks(buf)) {
    const nul = c.data.indexOf(0);
    if (nul < 0) continue;
    const key = c.data.toString('latin1', 0, nul);
    if (c.type === 'tEXt') out[key] = c.data.toString('latin1', nul + 1);
    else if (c.type === 'zTXt') out[key] = zlib.inflateSync(c.data.subarray(nul + 2)).toString('latin1');
    else if (c.type === 'iTXt') {
      const compressed = c.data[nul + 1] === 1;
      let p = nul + 3;
      p = c.data.indexOf(0, p) + 1; // language tag
      p = c.data.indexOf(0, p) + 1; // translated keyword
      const body = c.data.subarray(p);
      out[key] = (compressed ? zlib.inflateSync(body) : body).toString('utf8');
    }
  }
  return out;
}
