import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../../main/util/npy';

describe('npy', () => {
  it('round-trips float32 arrays with a 64-byte aligned header', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    const bytes = encodeNpy({ data, shape: [1, 2, 3, 4] });
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual([1, 2, 3, 4]);
    expect([...back.data]).toEqual([...data]);
  });
  it('rejects non-npy, wrong dtype and truncated data with the file name', () => {
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).toThrow(/^x\.npy: not a \.npy/);
    const bytes = encodeNpy({ data: new Float32Array(4), shape: [4] });
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 4), 't.npy')).toThrow(/truncated/);
  });
});
