// ModelProto <-> IR with protobufjs and a static descriptor (works in vitest, tsx and a bundle).
// Tensors are always written back as raw_data: it is compact and keeps int64 exact.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { StudioError } from '../api/contract.js';
import { onnxDescriptor } from './onnx-descriptor.js';
import {
  DT,
  numel,
  type AttrValue,
  type Dim,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type TensorData,
  type ValueInfo,
} from './ir.js';

const root = protobuf.Root.fromJSON(onnxDescriptor as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** Largest dimension or element count we accept; ONNX Runtime itself is unhappy beyond int32 sizes. */
export const MAX_DIM = 2 ** 31 - 1;

// Decoded protobuf messages are loosely typed; this alias keeps the casts in one place.
type Pb = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const num = (v: unknown): number => (typeof v === 'number' ? v : v == null ? 0 : Number(v.toString()));
const utf8 = new TextDecoder();
const bytesOf = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(0));

function badModel(msg: string): StudioError {
  return new StudioError('bad_model', msg);
}

export interface DecodeOptions {
  /** Folder that external data paths resolve against (and must stay inside). */
  baseDir?: string | null;
}

/** Protobuf's limit for one ONNX file (bigger models keep their weights in external data). */
const MAX_ONNX_BYTES = 2 * 1024 ** 3;

/**
 * Reads and decodes a model file. Opened non-blocking and checked on its descriptor (a regular file within 2 GiB)
 * before a byte is read, so a FIFO named x.onnx cannot hang the engine; every error names the file.
 */
export function loadModel(file: string): Model {
  let bytes: Uint8Array;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw badModel(`${file}: not a regular file`);
      if (st.size > MAX_ONNX_BYTES) throw badModel(`${file}: ${st.size} bytes, over the 2 GiB limit of one ONNX file`);
      bytes = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if (e instanceof StudioError) throw e;
    throw new StudioError('model_missing', `cannot read model ${file}: ${(e as Error).message}`);
  }
  try {
    return decodeModel(bytes, { baseDir: path.dirname(path.resolve(file)) });
  } catch (e) {
    if (!(e instanceof StudioError)) throw badModel(`${file}: not a readable ONNX model (${(e as Error).message})`);
    throw e.message.includes(file) ? e : new StudioError(e.code, `${file}: ${e.message}`);
  }
}

export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  let m: Pb;
  try {
    m = ModelProto.decode(bytes) as unknown as Pb;
  } catch (e) {
    throw badModel(`not an ONNX model: ${(e as Error).message}`);
  }
  if (!m.graph) throw badModel('model has no graph');
  const baseDir = opts.baseDir ?? null;
  return {
    irVersion: num(m.ir_version),
    producerName: m.producer_name ?? '',
    opsetImports: (m.opset_import ?? []).map((o: Pb) => ({ domain: o.domain ?? '', version: num(o.version) })),
    graph: decodeGraph(m.graph, baseDir),
    baseDir,
  };
}

function decodeGraph(g: Pb, baseDir: string | null): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name, decodeTensor(t, baseDir));
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.value_info ?? []) valueInfo.set(v.name, decodeValueInfo(v));
  return {
    name: g.name ?? 'graph',
    nodes: (g.node ?? []).map((n: Pb, i: number) => decodeNode(n, i, baseDir)),
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    initializers,
    valueInfo,
  };
}

function decodeValueInfo(v: Pb): ValueInfo {
  const tt = v.type?.tensor_type;
  const info: ValueInfo = { name: v.name ?? '', elemType: num(tt?.elem_type) };
  if (tt?.shape) {
    info.shape = (tt.shape.dim ?? []).map((d: Pb): Dim => {
      if (d.dim_value != null && d.value !== 'dim_param') {
        const n = num(d.dim_value);
        if (n > MAX_DIM || n < 0) throw badModel(`tensor "${info.name}" declares an absurd dimension ${n}`);
        return n;
      }
      return d.dim_param ? String(d.dim_param) : '?';
    });
  }
  return info;
}

function decodeNode(n: Pb, index: number, baseDir: string | null): Node {
  const attrs: Record<string, AttrValue> = {};
  for (const a of n.attribute ?? []) attrs[a.name] = decodeAttr(a, baseDir);
  return {
    name: n.name || `node_${index}`,
    opType: n.op_type ?? '',
    domain: n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs,
  };
}

function decodeAttr(a: Pb, baseDir: string | null): AttrValue {
  switch (num(a.type)) {
    case 1:
      return { type: 'float', value: a.f ?? 0 };
    case 2:
      return { type: 'int', value: num(a.i) };
    case 3:
      return { type: 'string', value: utf8.decode(bytesOf(a.s)) };
    case 4:
      return { type: 'tensor', value: decodeTensor(a.t, baseDir) };
    case 6:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case 7:
      return { type: 'ints', value: (a.ints ?? []).map(num) };
    case 8:
      return { type: 'strings', value: (a.strings ?? []).map((s: unknown) => utf8.decode(bytesOf(s))) };
    default:
      return { type: 'raw', value: a };
  }
}

const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 11: 8 };

function fromBytes(dataType: number, bytes: Uint8Array, name: string): TensorData {
  const copy = new Uint8Array(bytes); // aligned private copy (Buffer.slice would share the pool)
  const buf = copy.buffer;
  switch (dataType) {
    case DT.FLOAT:
      return new Float32Array(buf, 0, copy.byteLength >> 2);
    case DT.DOUBLE:
      return new Float64Array(buf, 0, copy.byteLength >> 3);
    case DT.INT32:
      return new Int32Array(buf, 0, copy.byteLength >> 2);
    case DT.INT64:
      return new BigInt64Array(buf, 0, copy.byteLength >> 3);
    case DT.UINT8:
    case DT.BOOL:
      return new Uint8Array(buf);
    case DT.INT8:
      return new Int8Array(buf);
    default:
      throw badModel(`tensor "${name}" has unsupported data type ${dataType}`);
  }
}

/** The tensors that keep their bytes outside the model file (initializers and Constant nodes' tensors). */
function externalTensors(m: Pb): Pb[] {
  const out: Pb[] = [];
  const visit = (g: Pb | undefined) => {
    if (!g) return;
    for (const t of g.initializer ?? []) if (num(t.data_location) === 1) out.push(t);
    for (const n of g.node ?? [])
      for (const a of n.attribute ?? []) {
        if (a.t && num(a.t.data_location) === 1) out.push(a.t);
        visit(a.g);
        for (const sub of a.graphs ?? []) visit(sub);
      }
  };
  visit(m.graph);
  return out;
}

/** The distinct external-data file locations a model names (as written: relative to the model's folder). */
export function externalDataFiles(bytes: Uint8Array): string[] {
  let m: Pb;
  try {
    m = ModelProto.decode(bytes) as unknown as Pb;
  } catch (e) {
    throw badModel(`not an ONNX model: ${(e as Error).message}`);
  }
  const where = (t: Pb) => (t.external_data ?? []).find((e: Pb) => e.key === 'location')?.value ?? '';
  return [...new Set(externalTensors(m).map(where))];
}

/** The model with every external-data location passed through `to` (an import moves the files beside its copy). */
export function relocateExternalData(bytes: Uint8Array, to: (location: string) => string): Uint8Array {
  const m = ModelProto.decode(bytes) as unknown as Pb;
  for (const t of externalTensors(m)) for (const e of t.external_data ?? []) if (e.key === 'location') e.value = to(e.value);
  return ModelProto.encode(m as never).finish();
}

/** Resolves an external-data location; refuses anything that escapes the model's folder. */
export function resolveExternal(baseDir: string | null, location: string, tensorName: string): string {
  if (!baseDir) throw badModel(`tensor "${tensorName}" uses external data but the model was not loaded from a file`);
  const base = path.resolve(baseDir);
  const full = path.resolve(base, location);
  const rel = path.relative(base, full);
  if (path.isAbsolute(location) || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw badModel(`tensor "${tensorName}" external data "${location}" resolves outside the model folder`);
  }
  // A symlink inside the folder may still point outside it.
  if (fs.existsSync(full)) {
    const realRel = path.relative(fs.realpathSync(base), fs.realpathSync(full));
    if (realRel.startsWith('..') || path.isAbsolute(realRel)) {
      throw badModel(`tensor "${tensorName}" external data "${location}" links outside the model folder`);
    }
  }
  return full;
}

/**
 * Reads one tensor's external bytes. `offset` and `length` come from the model file, so they are checked before any
 * allocation: whole non-negative numbers, `length` the tensor's own byte size, and both inside the data file's real
 * size (a model claiming 2 GiB from a 1 KB file gets an error, not a 2 GiB buffer). The file is opened non-blocking
 * and must be a regular file, so a FIFO named weights.bin cannot hang the engine.
 */
function readExternal(file: string, kv: Map<string, string>, byteSize: number, name: string): Uint8Array {
  const field = (key: string, fallback: number): number => {
    const text = kv.get(key);
    if (text === undefined) return fallback;
    const v = /^\d{1,16}$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(v)) throw badModel(`tensor "${name}" external data ${key} "${text}" is not a byte count`);
    return v;
  };
  const offset = field('offset', 0);
  const length = field('length', byteSize);
  if (length !== byteSize) throw badModel(`tensor "${name}" external data length ${length} differs from the tensor's ${byteSize} bytes`);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw badModel(`tensor "${name}" external data unreadable: ${(e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw badModel(`tensor "${name}" external data ${path.basename(file)} is not a regular file`);
    if (offset + length > st.size)
      throw badModel(
        `tensor "${name}" external data (offset ${offset}, length ${length}) runs past the end of ${path.basename(file)} (${st.size} bytes)`,
      );
    const bytes = new Uint8Array(length);
    for (let at = 0; at < length;) {
      const n = fs.readSync(fd, bytes, at, length - at, offset + at);
      if (n === 0) throw badModel(`tensor "${name}" external data ${path.basename(file)} shrank while being read`);
      at += n;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

function decodeTensor(t: Pb, baseDir: string | null): Tensor {
  const name: string = t.name ?? '';
  const dims: number[] = (t.dims ?? []).map(num);
  for (const d of dims) if (d < 0 || d > MAX_DIM) throw badModel(`initializer "${name}" has an absurd dimension ${d}`);
  const count = numel(dims);
  if (count > MAX_DIM) throw badModel(`initializer "${name}" has ${count} elements`);
  const dataType = num(t.data_type);
  const eb = ELEM_BYTES[dataType];
  if (!eb) throw badModel(`initializer "${name}" has unsupported data type ${dataType}`);
  let data: TensorData;
  if (num(t.data_location) === 1) {
    const kv = new Map<string, string>((t.external_data ?? []).map((e: Pb) => [e.key, e.value]));
    const file = resolveExternal(baseDir, kv.get('location') ?? '', name);
    const bytes = readExternal(file, kv, count * eb, name);
    data = fromBytes(dataType, bytes, name);
  } else if (t.raw_data && t.raw_data.length > 0) {
    data = fromBytes(dataType, t.raw_data, name);
  } else if (dataType === DT.FLOAT) data = Float32Array.from(t.float_data ?? []);
  else if (dataType === DT.DOUBLE) data = Float64Array.from(t.double_data ?? []);
  else if (dataType === DT.INT64) data = BigInt64Array.from((t.int64_data ?? []).map((v: unknown) => BigInt(v as number)));
  else if (dataType === DT.INT32) data = Int32Array.from(t.int32_data ?? []);
  else if (dataType === DT.INT8) data = Int8Array.from(t.int32_data ?? []);
  else data = Uint8Array.from(t.int32_data ?? []);
  if (data.length !== count) throw badModel(`initializer "${name}" holds ${data.length} values for dims [${dims.join(',')}]`);
  return { name, dataType, dims, data };
}

// ---------- encode ----------

function encodeTensor(t: Tensor): Pb {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name: t.name, dims: t.dims, data_type: t.dataType, raw_data: bytes };
}

function encodeValueInfo(v: ValueInfo): Pb {
  const tensor_type: Pb = { elem_type: v.elemType };
  if (v.shape) {
    tensor_type.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : d === '?' ? {} : { dim_param: d })),
    };
  }
  return { name: v.name, type: { tensor_type } };
}

const utf8e = new TextEncoder();

function encodeAttr(name: string, a: AttrValue): Pb {
  switch (a.type) {
    case 'float':
      return { name, type: 1, f: a.value };
    case 'int':
      return { name, type: 2, i: a.value };
    case 'string':
      return { name, type: 3, s: utf8e.encode(a.value) };
    case 'tensor':
      return { name, type: 4, t: encodeTensor(a.value) };
    case 'floats':
      return { name, type: 6, floats: a.value };
    case 'ints':
      return { name, type: 7, ints: a.value };
    case 'strings':
      return { name, type: 8, strings: a.value.map((s) => utf8e.encode(s)) };
    case 'raw':
      return a.value as Pb;
  }
}

export function encodeModel(model: Model): Uint8Array {
  const g = model.graph;
  const obj: Pb = {
    ir_version: model.irVersion,
    producer_name: model.producerName || 'vision-studio',
    opset_import: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        op_type: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => encodeAttr(k, v)),
      })),
      initializer: [...g.initializers.values()].map(encodeTensor),
      input: g.inputs.map(encodeValueInfo),
      output: g.outputs.map(encodeValueInfo),
      value_info: [...g.valueInfo.values()].map(encodeValueInfo),
    },
  };
  const msg = ModelProto.fromObject(obj);
  return ModelProto.encode(msg).finish();
}
