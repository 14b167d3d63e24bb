// ONNX files for the hostile corpus, written with protobufjs from the ONNX descriptor (plain objects in, bytes out), so
// a case can say anything the format allows: absurd dims, cycles, external data pointing anywhere with any length.
import protobuf from 'protobufjs';
import { onnxDescriptor } from '../../main/onnx/onnx-descriptor';

const ModelProto = protobuf.Root.fromJSON(onnxDescriptor as protobuf.INamespace).lookupType('onnx.ModelProto');

type Dim = number | string;
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
}
export interface InitSpec {
  name: string;
  dims: number[];
  /** Float values inline, or external data entries (location, offset, length as strings, as ONNX stores them). */
  values?: number[];
  external?: Record<string, string>;
}
export interface OnnxSpec {
  input?: [string, Dim[]];
  output?: [string, Dim[]];
  nodes?: NodeSpec[];
  initializers?: InitSpec[];
}

const valueInfo = (name: string, dims: Dim[]) => ({
  name,
  type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
});

export function onnxBytes(spec: OnnxSpec = {}): Uint8Array {
  const input = spec.input ?? ['data', ['N', 3, 224, 224]];
  const output = spec.output ?? ['logits', ['N', 3]];
  const nodes = spec.nodes ?? [
    { op: 'GlobalAveragePool', inputs: [input[0]], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: [output[0]] },
  ];
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    producer_name: 'vision-studio hostile corpus',
    graph: {
      name: 'hostile',
      node: nodes.map((n, i) => ({ name: n.name ?? `n${i}`, op_type: n.op, input: n.inputs, output: n.outputs })),
      input: [valueInfo(...input)],
      output: [valueInfo(...output)],
      initializer: (spec.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        data_type: 1,
        ...(t.values && { float_data: t.values }),
        ...(t.external && { data_location: 1, external_data: Object.entries(t.external).map(([key, value]) => ({ key, value })) }),
      })),
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** A classifier whose 3x3 weight comes from an external data file: x -> GAP -> Flatten -> MatMul(w). */
export function externalWeights(external: Record<string, string>): Uint8Array {
  return onnxBytes({
    nodes: [
      { op: 'GlobalAveragePool', inputs: ['data'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'] },
      { op: 'MatMul', inputs: ['flat', 'w'], outputs: ['logits'] },
    ],
    initializers: [{ name: 'w', dims: [3, 3], external }],
  });
}
