// Binary framing for the browser-mode WebSocket: JSON for structure, raw bytes for every Uint8Array
// (images, previews, model files), so nothing is base64-inflated.
// Frame: [u32 LE header length][header JSON][attachment 0][attachment 1]...
// In the header each Uint8Array is replaced by {"$bin": i, "n": byteLength}.
// Shared by the server (Node) and the renderer (browser): no Node imports.

interface BinRef {
  $bin: number;
  n: number;
}

function isBinRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && typeof (v as BinRef).$bin === 'number' && Object.keys(v).length === 2;
}

export function encodeFrame(message: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      parts.push(value);
      return { $bin: parts.length - 1, n: value.byteLength };
    }
    return value;
  });
  const headerBytes = new TextEncoder().encode(header);
  let total = 4 + headerBytes.byteLength;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let off = 4 + headerBytes.byteLength;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new Error('frame header overruns frame');
  const header = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const parsed: unknown = JSON.parse(header);
  // Attachments follow the header in order of their index.
  const refs: BinRef[] = [];
  collectRefs(parsed, refs);
  refs.sort((a, b) => a.$bin - b.$bin);
  const slices = new Map<number, Uint8Array>();
  let off = 4 + headerLength;
  for (const ref of refs) {
    if (off + ref.n > frame.byteLength) throw new Error('frame attachment overruns frame');
    // Copy so the consumer owns a tightly sized buffer (zod's instanceof and ORT both like that).
    slices.set(ref.$bin, frame.slice(off, off + ref.n));
    off += ref.n;
  }
  return replaceRefs(parsed, slices);
}

function collectRefs(v: unknown, out: BinRef[]): void {
  if (Array.isArray(v)) for (const x of v) collectRefs(x, out);
  else if (isBinRef(v)) out.push(v);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) collectRefs(x, out);
}

function replaceRefs(v: unknown, slices: Map<number, Uint8Array>): unknown {
  if (Array.isArray(v)) return v.map((x) => replaceRefs(x, slices));
  if (isBinRef(v)) return slices.get(v.$bin) ?? new Uint8Array();
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = replaceRefs(x, slices);
    return o;
  }
  return v;
}
