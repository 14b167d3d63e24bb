// Adds graph outputs to an ONNX file's bytes without re-encoding it. Re-encoding a 100 MB model through
// the IR costs over half a second; appending ValueInfoProto entries to GraphProto.output (field 12) and
// fixing the graph's length prefix in ModelProto (field 7) costs one copy. Protobuf concatenates repeated
// fields wherever they appear, so entries appended after the graph's other fields are still outputs.

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function readVarint(b: Uint8Array, o: number): [value: number, next: number] {
  let v = 0;
  let mul = 1;
  for (let i = o; i < b.length && i < o + 10; i++) {
    v += (b[i] & 127) * mul;
    mul *= 128;
    if (b[i] < 128) return [v, i + 1];
  }
  throw new Error('bad varint');
}

const utf8 = new TextEncoder();
const field = (tag: number, payload: number[] | Uint8Array): number[] => [tag, ...varint(payload.length), ...payload];

/** A float tensor output without a shape: ValueInfoProto{name, type{tensor_type{elem_type: FLOAT}}}. */
function outputEntry(name: string): number[] {
  const tensorType = [0x08, 1];
  const type = field(0x0a, tensorType);
  const info = [...field(0x0a, utf8.encode(name)), ...field(0x12, type)];
  return field(0x62, info);
}

/** The model bytes with `names` appended to the graph's outputs. Throws on bytes it cannot walk. */
export function withExtraOutputs(model: Uint8Array, names: string[]): Uint8Array {
  let o = 0;
  while (o < model.length) {
    const start = o;
    const [tag, afterTag] = readVarint(model, o);
    const wire = tag & 7;
    o = afterTag;
    if (wire === 0) o = readVarint(model, o)[1];
    else if (wire === 1) o += 8;
    else if (wire === 5) o += 4;
    else if (wire === 2) {
      const [len, payloadStart] = readVarint(model, o);
      const payloadEnd = payloadStart + len;
      if (tag >>> 3 === 7) {
        const extra = names.flatMap(outputEntry);
        const head = [...varint(tag), ...varint(len + extra.length)];
        const out = new Uint8Array(model.length - (payloadStart - start) + head.length + extra.length);
        out.set(model.subarray(0, start), 0);
        out.set(head, start);
        out.set(model.subarray(payloadStart, payloadEnd), start + head.length);
        out.set(extra, start + head.length + len);
        out.set(model.subarray(payloadEnd), start + head.length + len + extra.length);
        return out;
      }
      o = payloadEnd;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  throw new Error('no graph in the model');
}
