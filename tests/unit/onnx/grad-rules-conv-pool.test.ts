// Conv, pooling, BN and LRN backward rules vs central finite differences on odd shapes and attribute combos.
import { describe, expect, it } from 'vitest';
import { aFloat, aInt, aInts, aString } from '../../../main/onnx/ir.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  console.log(`${c.op}: ${r.precision} relErr=${r.relErr.toExponential(2)} n=${r.checked}`);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs)} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
  return r;
}

describe('Conv backward', () => {
  const cases: [string, OpCase][] = [
    [
      '3x3 pad 1 stride 1 + bias',
      { op: 'Conv', inputs: [{ shape: [2, 3, 5, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], attrs: { pads: aInts([1, 1, 1, 1]) } },
    ],
    [
      // More than 4 input channels: the flipped-weight conv path (≤ 4 take a ConvTranspose).
      '3x3 asym pads stride 1, 6 channels',
      { op: 'Conv', inputs: [{ shape: [1, 6, 5, 4] }, { shape: [3, 6, 3, 3] }, { shape: [3] }], attrs: { pads: aInts([1, 0, 1, 2]) } },
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
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('pooling backward', () => {
  const x = (shape: number[]) => ({ shape, data: 'spaced' as const });
  const cases: [string, OpCase][] = [
    ['MaxPool 2x2 s2', { op: 'MaxPool', inputs: [x([1, 2, 6, 6])], attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) } }],
    [
      'MaxPool 3x3 s2 overlapping, pads',
      {
        op: 'MaxPool',
        inputs: [x([2, 2, 7, 6])],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([2, 2]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'MaxPool ceil_mode odd',
      { op: 'MaxPool', inputs: [x([1, 2, 7, 5])], attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]), ceil_mode: aInt(1) } },
    ],
    [
      'MaxPool 3x3 s1 pad 1 (YOLO style)',
      {
        op: 'MaxPool',
        inputs: [x([1, 2, 5, 5])],
        attrs: { kernel_shape: aInts([3, 3]), strides: aInts([1, 1]), pads: aInts([1, 1, 1, 1]) },
      },
    ],
    [
      'MaxPool 2x2 s2 odd size with end pads (MaxUnpool path)',
      {
        op: 'MaxPool',
        inputs: [x([1, 2, 7, 5])],
        attrs: { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]), pads: aInts([0, 0, 1, 1]) },
      },
    ],
    [
      'MaxPool 3x2 s(3,2) disjoint',
      { op: 'MaxPool', inputs: [x([1, 2, 8, 7])], attrs: { kernel_shape: aInts([3, 2]), strides: aInts([3, 2]) } },
    ],
    ['MaxPool dilations', { op: 'MaxPool', inputs: [x([1, 1, 7, 7])], attrs: { kernel_shape: aInts([2, 2]), dilations: aInts([2, 2]) } }],
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
    ['GlobalMaxPool', { op: 'GlobalMaxPool', inputs: [x([2, 3, 5, 3])] }],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('normalisation backward', () => {
  it('BatchNormalization (inference)', () =>
    expectGrad({
      op: 'BatchNormalization',
      inputs: [
        { shape: [2, 3, 4, 3] },
        { shape: [3], wrt: false },
        { shape: [3], wrt: false },
        { shape: [3], wrt: false },
        { shape: [3], data: 'pos', wrt: false },
      ],
      attrs: { epsilon: aFloat(1e-3) },
    }));
  it('LRN size 5', () =>
    expectGrad({
      op: 'LRN',
      inputs: [{ shape: [1, 7, 3, 2] }],
      attrs: { size: aInt(5), alpha: aFloat(0.3), beta: aFloat(0.75), bias: aFloat(1.5) },
    }));
  it('LRN size 3 (ORT allows odd sizes only)', () =>
    expectGrad({
      op: 'LRN',
      inputs: [{ shape: [2, 6, 2, 3] }],
      attrs: { size: aInt(3), alpha: aFloat(0.5), beta: aFloat(0.6), bias: aFloat(2) },
    }));
});
