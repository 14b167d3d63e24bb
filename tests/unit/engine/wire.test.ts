import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../main/api/wire';

describe('wire frames', () => {
  it('round-trips nested structures with several byte attachments', () => {
    const msg = {
      id: 7,
      method: 'classify.batch',
      params: {
        images: [
          { name: 'a.png', bytes: new Uint8Array([1, 2, 3]) },
          { name: 'b.png', bytes: new Uint8Array(0) },
        ],
        note: { $bin: 'not a ref' },
      },
    };
    const back = decodeFrame(encodeFrame(msg)) as typeof msg;
    expect(back.params.images[0].bytes).toBeInstanceOf(Uint8Array);
    expect([...back.params.images[0].bytes]).toEqual([1, 2, 3]);
    expect(back.params.images[1].bytes.byteLength).toBe(0);
    expect(back.params.note).toEqual({ $bin: 'not a ref' });
    expect(back.id).toBe(7);
  });
  it('rejects frames whose header or attachments overrun', () => {
    const f = encodeFrame({ bytes: new Uint8Array(10) });
    expect(() => decodeFrame(f.subarray(0, f.length - 3))).toThrow(/overruns/);
    expect(() => decodeFrame(new Uint8Array([255, 255, 0, 0, 1]))).toThrow(/overruns/);
  });
});
