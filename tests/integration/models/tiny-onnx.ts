// Hand-encoded tiny ONNX classifiers (a few hundred bytes), so model tests do not depend on ../shared being present.
// Only the protobuf fields we need: ModelProto{ir_version, opset_import, graph}, GraphProto{node, name, input, output}.

type Dim = number | string;
interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number[]>;
  int?: Record<string, number>;
}

const enc = new TextEncoder();
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const vField = (field: number, n: number) => [...key(field, 0), ...varint(n)];
const bField = (field: number, bytes: number[] | Uint8Array) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const sField = (field: number, s: string) => bField(field, enc.encode(s));

function valueInfo(name: string, dims: Dim[]): number[] {
  const shape = dims.flatMap((d) => bField(1, typeof d === 'number' ? vField(1, d) : sField(2, d)));
  const tensorType = [...vField(1, 1 /* FLOAT */), ...bField(2, shape)];
  return [...sField(1, name), ...bField(2, bField(1, tensorType))];
}

function node(n: NodeSpec): number[] {
  const attrs = [
    ...Object.entries(n.ints ?? {}).map(([name, v]) => [
      ...sField(1, name),
      ...vField(20, 7 /* INTS */),
      ...v.flatMap((x) => vField(8, x)),
    ]),
    ...Object.entries(n.int ?? {}).map(([name, v]) => [...sField(1, name), ...vField(20, 2 /* INT */), ...vField(3, v)]),
  ];
  return [
    ...n.inputs.flatMap((s) => sField(1, s)),
    ...n.outputs.flatMap((s) => sField(2, s)),
    ...sField(4, n.op),
    ...attrs.flatMap((a) => bField(5, a)),
  ];
}

export function tinyOnnx(spec: { input: [string, Dim[]]; output: [string, Dim[]]; nodes: NodeSpec[] }): Uint8Array {
  const graph = [
    ...spec.nodes.flatMap((n) => bField(1, node(n))),
    ...sField(2, 'tiny'),
    ...bField(11, valueInfo(...spec.input)),
    ...bField(12, valueInfo(...spec.output)),
  ];
  return new Uint8Array([...vField(1, 8), ...bField(8, [...sField(1, ''), ...vField(2, 13)]), ...bField(7, graph)]);
}

/** NCHW [N,3,H,W] -> GlobalAveragePool -> Flatten -> [N,3]: a "3-class" classifier. */
export const tinyNchw = (outputName = 'logits'): Uint8Array =>
  tinyOnnx({
    input: ['data', ['N', 3, 'H', 'W']],
    output: [outputName, ['N', 3]],
    nodes: [
      { op: 'GlobalAveragePool', inputs: ['data'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: [outputName] },
    ],
  });

/** NHWC [1,32,48,3] -> ReduceMean over H,W -> [1,3], output [1,3,1,1]-free; fixed input size. */
export const tinyNhwc = (): Uint8Array =>
  tinyOnnx({
    input: ['images', [1, 32, 48, 3]],
    output: ['Softmax:0', [1, 3]],
    nodes: [{ op: 'ReduceMean', inputs: ['images'], outputs: ['Softmax:0'], ints: { axes: [1, 2] }, int: { keepdims: 0 } }],
  });

/** NCHW input, 4-D output [1,5,1,1] (like DenseNet's [1,1000,1,1]). */
export const tinyFourDimOutput = (): Uint8Array =>
  tinyOnnx({
    input: ['data_0', [1, 3, 16, 16]],
    output: ['fc6_1', [1, 3, 1, 1]],
    nodes: [{ op: 'GlobalAveragePool', inputs: ['data_0'], outputs: ['fc6_1'] }],
  });
