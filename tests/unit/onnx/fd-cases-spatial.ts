// Finite-difference cases of the spatial ops (Conv, pooling), one family each, spread into FD_CASES (fd-cases.ts).
import { aInt, aInts, aString } from '../../../main/onnx/ir.js';
import type { CaseList } from './fd-cases.js';

/** Distinct values ≥ 0.05 apart, away from 0: no ties, no kinks. */
const s = (shape: number[]) => ({ shape, data: 'spaced' as const });

export const SPATIAL_CASES = {
  conv: [
    [
      '3x3 pad 1 stride 1 + bias',
      { op: 'Conv', inputs: [{ shape: [2, 3, 5, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], attrs: { pads: aInts([1, 1, 1, 1]) } },
    ],
    [
      // Up to 12 input channels: δx by ConvTranspose at stride 1 (FEW_CHANNELS).
      '3x3 asym pads stride 1, 6 channels',
      { op: 'Conv', inputs: [{ shape: [1, 6, 5, 4] }, { shape: [3, 6, 3, 3] }, { shape: [3] }], attrs: { pads: aInts([1, 0, 1, 2]) } },
    ],
    [
      // More than 12 input channels: δx by the flipped-weight conv.
      '3x3 asym pads stride 1, 13 channels',
      { op: 'Conv', inputs: [{ shape: [1, 13, 4, 4] }, { shape: [2, 13, 3, 3] }], attrs: { pads: aInts([1, 0, 1, 2]) } },
    ],
    [
      // 5×5 and 4×4 kernels over several channels: δW's one-hot im2col with strides, asymmetric pads, dilation, groups.
      '5x5 stride (2,1) asym pads, 3 channels',
      {
        op: 'Conv',
        inputs: [{ shape: [1, 3, 9, 8] }, { shape: [2, 3, 5, 5] }],
        attrs: { strides: aInts([2, 1]), pads: aInts([2, 1, 1, 2]) },
      },
    ],
    [
      '4x4 dilation (2,1) groups 2 batch 2',
      {
        op: 'Conv',
        inputs: [{ shape: [2, 4, 9, 7] }, { shape: [4, 2, 4, 4] }, { shape: [4] }],
        attrs: { group: aInt(2), dilations: aInts([2, 1]), pads: aInts([1, 1, 2, 0]) },
      },
    ],
    [
      'stride 2 odd input asym pads',
      {
        op: 'Conv',
        inputs: [{ shape: [1, 2, 7, 6] }, { shape: [3, 2, 3, 3] }],
        attrs: { strides: aInts([2, 2]), pads: aInts([0, 1, 1, 0]) },
      },
    ],
    [
      'stride 3 leaves unused rows',
      { op: 'Conv', inputs: [{ shape: [1, 2, 8, 7] }, { shape: [2, 2, 2, 2] }], attrs: { strides: aInts([3, 2]) } },
    ],
    [
      'dilation 2',
      {
        op: 'Conv',
        inputs: [{ shape: [1, 2, 7, 7] }, { shape: [3, 2, 3, 3] }],
        attrs: { dilations: aInts([2, 2]), pads: aInts([2, 1, 2, 1]) },
      },
    ],
    [
      'groups 2',
      {
        op: 'Conv',
        inputs: [{ shape: [1, 4, 5, 5] }, { shape: [6, 2, 3, 3] }, { shape: [6] }],
        attrs: { group: aInt(2), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'depthwise stride 2',
      {
        op: 'Conv',
        inputs: [{ shape: [2, 3, 6, 5] }, { shape: [3, 1, 3, 3] }],
        attrs: { group: aInt(3), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'depthwise multiplier 2',
      { op: 'Conv', inputs: [{ shape: [1, 2, 5, 5] }, { shape: [4, 1, 3, 3] }], attrs: { group: aInt(2), pads: aInts([1, 1, 1, 1]) } },
    ],
    [
      'auto_pad SAME_UPPER stride 2',
      {
        op: 'Conv',
        inputs: [{ shape: [1, 2, 7, 6] }, { shape: [2, 2, 3, 3] }],
        attrs: { auto_pad: aString('SAME_UPPER'), strides: aInts([2, 2]) },
      },
    ],
    [
      'auto_pad SAME_LOWER',
      { op: 'Conv', inputs: [{ shape: [1, 2, 6, 6] }, { shape: [2, 2, 2, 2] }], attrs: { auto_pad: aString('SAME_LOWER') } },
    ],
    [
      'auto_pad VALID 1x1',
      { op: 'Conv', inputs: [{ shape: [1, 3, 4, 5] }, { shape: [2, 3, 1, 1] }], attrs: { auto_pad: aString('VALID') } },
    ],
    [
      'pads larger than kernel-1 (ConvTranspose path)',
      { op: 'Conv', inputs: [{ shape: [1, 1, 4, 4] }, { shape: [1, 1, 2, 2] }], attrs: { pads: aInts([2, 2, 2, 2]) } },
    ],
    ['1-D conv', { op: 'Conv', inputs: [{ shape: [1, 2, 9] }, { shape: [3, 2, 3] }], attrs: { strides: aInts([2]), pads: aInts([1, 0]) } }],
  ] as CaseList,
  pooling: [
    ['MaxPool 2x2 s2', { op: 'MaxPool', inputs: [s([1, 2, 6, 6])], attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) } }],
    [
      'MaxPool 3x3 s2 overlapping, pads',
      {
        op: 'MaxPool',
        inputs: [s([2, 2, 7, 6])],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'MaxPool ceil_mode odd',
      { op: 'MaxPool', inputs: [s([1, 2, 7, 5])], attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]), ceil_mode: aInt(1) } },
    ],
    [
      'MaxPool 3x3 s1 pad 1 (YOLO style)',
      {
        op: 'MaxPool',
        inputs: [s([1, 2, 5, 5])],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([1, 1]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'MaxPool 2x2 s2 odd size with end pads (MaxUnpool path)',
      {
        op: 'MaxPool',
        inputs: [s([1, 2, 7, 5])],
        attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]), pads: aInts([0, 0, 1, 1]) },
      },
    ],
    [
      'MaxPool 3x2 s(3,2) disjoint',
      { op: 'MaxPool', inputs: [s([1, 2, 8, 7])], attrs: { kernel_shape: aInts([3, 2]), strides: aInts([3, 2]) } },
    ],
    ['MaxPool dilations', { op: 'MaxPool', inputs: [s([1, 1, 7, 7])], attrs: { kernel_shape: aInts([2, 2]), dilations: aInts([2, 2]) } }],
    [
      'AveragePool 2x2 s2',
      { op: 'AveragePool', inputs: [{ shape: [1, 2, 6, 5] }], attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) } },
    ],
    [
      'AveragePool 3x3 s2 pads exclude pad',
      {
        op: 'AveragePool',
        inputs: [{ shape: [1, 2, 7, 6] }],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'AveragePool 3x3 s2 pads count_include_pad',
      {
        op: 'AveragePool',
        inputs: [{ shape: [1, 2, 7, 6] }],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]), count_include_pad: aInt(1) },
      },
    ],
    [
      'AveragePool ceil_mode',
      {
        op: 'AveragePool',
        inputs: [{ shape: [1, 2, 7, 5] }],
        attrs: { kernel_shape: aInts([2, 3]), strides: aInts([2, 2]), ceil_mode: aInt(1) },
      },
    ],
    [
      'AveragePool ceil_mode + pads + include pad',
      {
        op: 'AveragePool',
        inputs: [{ shape: [1, 1, 6, 7] }],
        attrs: {
          kernel_shape: aInts([3, 3]),
          strides: aInts([2, 2]),
          pads: aInts([1, 0, 1, 1]),
          ceil_mode: aInt(1),
          count_include_pad: aInt(1),
        },
      },
    ],
    ['GlobalAveragePool', { op: 'GlobalAveragePool', inputs: [{ shape: [2, 3, 5, 3] }] }],
    ['GlobalMaxPool', { op: 'GlobalMaxPool', inputs: [s([2, 3, 5, 3])] }],
  ] as CaseList,
};
