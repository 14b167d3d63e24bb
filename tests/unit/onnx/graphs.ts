// Hand-built ONNX graphs for unit tests: a node literal and a model wrapper, so each test writes only
// its nodes, inputs, outputs and weights.
import { DT, type Model, type Node, type Tensor, type ValueInfo } from '../../../main/onnx/ir.js';

export const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attrs,
});

/** A float32 tensor's graph input or output. */
export const value = (name: string, shape?: ValueInfo['shape']): ValueInfo => ({ name, elemType: DT.FLOAT, shape });

export function testModel(
  g: { name?: string; nodes: Node[]; inputs: ValueInfo[]; outputs: ValueInfo[]; initializers?: Tensor[] | Map<string, Tensor> },
  opset = 17,
): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 't',
    baseDir: null,
    graph: {
      name: g.name ?? 'g',
      nodes: g.nodes,
      inputs: g.inputs,
      outputs: g.outputs,
      initializers: g.initializers instanceof Map ? g.initializers : new Map((g.initializers ?? []).map((t) => [t.name, t])),
      valueInfo: new Map(),
    },
  };
}
