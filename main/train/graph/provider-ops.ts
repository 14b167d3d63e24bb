// The ops that the training, evaluation and exported graphs of the studio's own networks (LeNet-5, VGG-small,
// ResNet-20, the transfer heads; batch norm, dropout, penalties and label smoothing included) are made of.
// Every one has a kernel in ONNX Runtime's CPU, CUDA and DirectML providers, so such a graph runs whole on the
// provider chosen at run time; an op without one would fall back to the CPU node by node, with copies each
// way. docs/architecture.md lists them; tests/unit/train/provider-ops.test.ts builds every graph and checks.
// (A fine-tuned catalog model also carries its backbone's own ops.)
import type { Model } from '../../onnx/ir';

export const PROVIDER_OPS: ReadonlySet<string> = new Set([
  'Abs',
  'Add',
  'ArgMax',
  'BatchNormalization',
  'Cast',
  'Concat',
  'Constant',
  'ConstantOfShape',
  'Conv',
  'ConvTranspose',
  'Div',
  'Equal',
  'Exp',
  'Expand',
  'Flatten',
  'Gemm',
  'GlobalAveragePool',
  'HardSigmoid',
  'Identity',
  'LogSoftmax',
  'MatMul',
  'MaxPool',
  'MaxUnpool',
  'Mul',
  'Neg',
  'Pad',
  'Reciprocal',
  'ReduceMean',
  'ReduceSum',
  'ReduceSumSquare',
  'Relu',
  'Reshape',
  'Shape',
  'Sign',
  'Size',
  'Slice',
  'Sqrt',
  'Sub',
  'Sum',
  'Transpose',
  'Unsqueeze',
  'Where',
]);

/** The graph's op types that are not in PROVIDER_OPS, sorted. */
export function opsOutsideProviders(m: Model): string[] {
  return [...new Set(m.graph.nodes.map((n) => n.opType))].filter((t) => !PROVIDER_OPS.has(t)).sort();
}
