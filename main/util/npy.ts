// NumPy .npy (format 1.0) for float32 arrays: gradients out of the CLI, tensors in from scripts and benches.
import { StudioError } from '../api/contract';

export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

export function encodeNpy({ data, shape }: NpyArray): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function decodeNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new StudioError('bad_request', `${name}: not a .npy file`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  if (!/'descr':\s*'<f4'/.test(header))
    throw new StudioError('bad_request', `${name}: expected float32 ('<f4') data, header says ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new StudioError('bad_request', `${name}: Fortran-ordered arrays are not supported`);
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) throw new StudioError('bad_request', `${name}: no shape in the .npy header`);
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (bytes.byteLength - offset < count * 4)
    throw new StudioError('bad_request', `${name}: truncated (${shape.join('x')} float32 needs ${count * 4} bytes)`);
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 4));
  return { data, shape };
}
