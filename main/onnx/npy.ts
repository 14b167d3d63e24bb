// Minimal .npy (format 1.0/2.0) reader and writer for float32 C-order arrays: the CLI's gradient
// files and its tensor inputs. Anything else is refused with a specific message.
import { StudioError } from '../api/contract.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function decodeNpy(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  const bad = (m: string) => new StudioError('bad_request', `not a float32 .npy: ${m}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing NUMPY magic');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (descr !== '<f4' && descr !== '|f4') throw bad(`dtype ${descr ?? '?'} (need <f4)`);
  if (/'fortran_order':\s*True/.test(header)) throw bad('Fortran order');
  const shapeTxt = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeTxt === undefined) throw bad('no shape');
  const shape = shapeTxt
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + hlen;
  if (bytes.length - off < count * 4) throw bad(`file holds fewer than ${count} values`);
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(off, off + count * 4));
  return { data, shape };
}
