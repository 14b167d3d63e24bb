// Loads tests/fixtures/graph/<model>.json (written by tests/reference/torch_arch_counts.py): PyTorch's own
// parameter and MAC counts, and the ONNX graph torch exported, with the float weights' data left out (their
// dims kept). Counting needs shapes only, so the IR rebuilt here is the exported topology without its 500 MB.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DT, type AttrValue, type Model, type Node, type Tensor, type TensorData } from '../../../main/onnx/ir.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/graph');

interface FixtureTensor {
  dims: number[];
  dataType: number;
  values?: number[];
}
export interface TorchFixture {
  model: string;
  size: number;
  torch: {
    params: number;
    macs: number;
    batchNormChannels: number;
    layers: { module: string; op: 'Conv2d' | 'Linear'; params: number; macs: number }[];
  };
  onnx: {
    opset: number;
    inputs: { name: string; elemType: number; shape: (number | string)[] }[];
    outputs: { name: string; elemType: number; shape: (number | string)[] }[];
    initializers: (FixtureTensor & { name: string })[];
    nodes: { name: string; op: string; inputs: string[]; outputs: string[]; attrs: Record<string, unknown> }[];
  };
}

function tensor(name: string, t: FixtureTensor): Tensor {
  let data: TensorData;
  const v = t.values ?? [];
  if (t.dataType === DT.INT64) data = BigInt64Array.from(v.map((x) => BigInt(x)));
  else if (t.dataType === DT.INT32) data = Int32Array.from(v);
  else if (t.dataType === DT.DOUBLE) data = Float64Array.from(v);
  else if (t.dataType === DT.UINT8 || t.dataType === DT.BOOL) data = Uint8Array.from(v);
  else data = Float32Array.from(v); // empty for stripped weights: only their dims matter here
  return { name, dataType: t.dataType, dims: t.dims, data };
}

function attr(v: unknown): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    return v.every((x) => Number.isInteger(x)) ? { type: 'ints', value: v as number[] } : { type: 'floats', value: v as number[] };
  }
  const t = (v as { tensor?: FixtureTensor }).tensor;
  if (t) return { type: 'tensor', value: tensor('value', t) };
  throw new Error(`fixture attribute not understood: ${JSON.stringify(v).slice(0, 80)}`);
}

export function loadTorchFixture(name: string): { fixture: TorchFixture; model: Model } {
  const fixture = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as TorchFixture;
  const o = fixture.onnx;
  const nodes: Node[] = o.nodes.map((n) => ({
    name: n.name,
    opType: n.op,
    domain: '',
    inputs: n.inputs,
    outputs: n.outputs,
    attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, attr(v)])),
  }));
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: o.opset }],
    producerName: 'pytorch',
    baseDir: null,
    graph: {
      name: fixture.model,
      nodes,
      inputs: o.inputs.map((v) => ({ ...v })),
      outputs: o.outputs.map((v) => ({ ...v })),
      initializers: new Map(o.initializers.map((t) => [t.name, tensor(t.name, t)])),
      valueInfo: new Map(),
    },
  };
  return { fixture, model };
}
