// makeSpatialDynamic on transformer-era graphs: a Linear on an NHWC map (ConvNeXt) does not pin the size,
// a fixed position embedding added to the tokens (ViT) does.
import { describe, expect, it } from 'vitest';
import { aInts, floatTensor, int64Tensor } from '../../../main/onnx/ir.js';
import { makeSpatialDynamic } from '../../../main/onnx/surgery.js';
import { node, testModel, value } from './graphs.js';

describe('makeSpatialDynamic', () => {
  it('keeps H and W symbolic through a MatMul with weights on an NHWC map (ConvNeXt blocks)', () => {
    const m = testModel({
      nodes: [
        node('patch', 'Conv', ['x', 'w'], ['patch'], { kernel_shape: aInts([4, 4]), strides: aInts([4, 4]) }),
        node('nhwc', 'Transpose', ['patch'], ['nhwc'], { perm: aInts([0, 2, 3, 1]) }),
        node('ln', 'LayerNormalization', ['nhwc', 'g'], ['ln']),
        node('fc', 'MatMul', ['ln', 'wfc'], ['fc']),
        node('back', 'Transpose', ['fc'], ['back'], { perm: aInts([0, 3, 1, 2]) }),
        node('gap', 'GlobalAveragePool', ['back'], ['y']),
      ],
      inputs: [value('x', [1, 3, 32, 32])],
      outputs: [value('y')],
      initializers: [
        floatTensor('w', [8, 3, 4, 4], new Array(384).fill(0.1)),
        floatTensor('g', [8], new Array(8).fill(1)),
        floatTensor('wfc', [8, 16], new Array(128).fill(0.1)),
      ],
    });
    expect(makeSpatialDynamic(m)).toEqual({ dynamic: true });
    expect(m.graph.inputs[0].shape).toEqual(['N', 3, 'H', 'W']);
  });

  it('refuses when a fixed-size position embedding is added to the tokens (ViT), saying where', () => {
    const m = testModel({
      nodes: [
        node('patch', 'Conv', ['x', 'w'], ['patch'], { kernel_shape: aInts([4, 4]), strides: aInts([4, 4]) }),
        node('seq', 'Reshape', ['patch', 'ncl'], ['seq']),
        node('tok', 'Transpose', ['seq'], ['tok'], { perm: aInts([0, 2, 1]) }),
        node('embed', 'Add', ['tok', 'pos'], ['y']),
      ],
      inputs: [value('x', [1, 3, 16, 16])],
      outputs: [value('y')],
      initializers: [
        floatTensor('w', [8, 3, 4, 4], new Array(384).fill(0.1)),
        int64Tensor('ncl', [3], [0, 8, -1]),
        floatTensor('pos', [1, 16, 8], new Array(128).fill(0)),
      ],
    });
    const r = makeSpatialDynamic(m);
    expect(r.dynamic).toBe(false);
    expect(r.reason).toMatch(/node "embed" \(Add\) adds a fixed-size tensor to a spatially sized one/);
    expect(m.graph.inputs[0].shape).toEqual([1, 3, 16, 16]);
  });
});
