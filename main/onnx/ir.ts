// In-memory ONNX IR: plain objects that surgery, the loss builder and the differentiator edit freely,
// serialised back to ModelProto only when a session is created (proto.ts).

/** TensorProto.DataType values we handle. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type ElemType = number;

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export interface Tensor {
  name: string;
  dataType: ElemType;
  dims: number[];
  data: TensorData;
}

/** A dimension: a number when static, a symbol (e.g. 'N', 'H') when dynamic, '?' when unknown. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: ElemType;
  /** undefined = rank unknown. */
  shape?: Dim[];
}

export type AttrValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  /** Graph or other attribute we carry through untouched (decoded protobuf object). */
  | { type: 'raw'; value: unknown };

export interface Node {
  name: string;
  opType: string;
  domain: string;
  /** '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  valueInfo: Map<string, ValueInfo>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  graph: Graph;
  /** Folder of the .onnx file, for external data (null when loaded from bytes). */
  baseDir: string | null;
}

/** The default-domain ('' or 'ai.onnx') opset version. */
export function defaultOpset(model: Model): number {
  const imp = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return imp ? imp.version : 1;
}

export function setDefaultOpset(model: Model, version: number): void {
  const imp = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (imp) imp.version = version;
  else model.opsetImports.push({ domain: '', version });
}

// ---------- attribute accessors ----------

export function attrInt(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : dflt;
}
export function attrFloat(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  return a && (a.type === 'float' || a.type === 'int') ? a.value : dflt;
}
export function attrString(node: Node, name: string, dflt: string): string {
  const a = node.attrs[name];
  return a && a.type === 'string' ? a.value : dflt;
}
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  return a && a.type === 'ints' ? a.value : undefined;
}
export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = node.attrs[name];
  return a && a.type === 'tensor' ? a.value : undefined;
}

export const aInt = (value: number): AttrValue => ({ type: 'int', value });
export const aFloat = (value: number): AttrValue => ({ type: 'float', value });
export const aInts = (value: number[]): AttrValue => ({ type: 'ints', value });
export const aFloats = (value: number[]): AttrValue => ({ type: 'floats', value });
export const aString = (value: string): AttrValue => ({ type: 'string', value });
export const aTensor = (value: Tensor): AttrValue => ({ type: 'tensor', value });

// ---------- tensors ----------

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Tensor values as plain numbers (int64 converted; fine for shapes, axes and small constants). */
export function tensorNumbers(t: Tensor): number[] {
  const out: number[] = new Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>, dataType: ElemType = DT.FLOAT): Tensor {
  const data = dataType === DT.DOUBLE ? Float64Array.from(values) : Float32Array.from(values);
  return { name, dataType, dims: [...dims], data };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { name, dataType: DT.INT64, dims: [...dims], data };
}

export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: g.inputs.map((v) => ({ ...v, shape: v.shape && [...v.shape] })),
    outputs: g.outputs.map((v) => ({ ...v, shape: v.shape && [...v.shape] })),
    initializers: new Map(g.initializers),
    valueInfo: new Map(g.valueInfo),
  };
}

export function cloneModel(m: Model): Model {
  return { ...m, opsetImports: m.opsetImports.map((o) => ({ ...o })), graph: cloneGraph(m.graph) };
}

/** Graph inputs that are real inputs (not initializers listed as inputs, as older exporters do). */
export function realInputs(g: Graph): ValueInfo[] {
  return g.inputs.filter((v) => !g.initializers.has(v.name));
}
