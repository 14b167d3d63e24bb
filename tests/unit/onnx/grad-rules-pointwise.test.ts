// Pointwise, broadcasting and softmax backward rules vs central finite differences.
import { describe, expect, it } from 'vitest';
import { aFloat, aInt } from '../../../main/onnx/ir.js';
import { gradCheck, type OpCase } from './gradcheck.js';

async function expectGrad(c: OpCase) {
  const r = await gradCheck(c);
  expect(r.relErr, `${c.op} ${JSON.stringify(c.attrs ?? {})} (${r.precision}, tol ${r.tol})`).toBeLessThanOrEqual(r.tol);
}

const s = (shape: number[]) => ({ shape, data: 'spaced' as const });

describe('activations', () => {
  const cases: [string, OpCase][] = [
    ['Relu', { op: 'Relu', inputs: [s([2, 3, 5])] }],
    ['LeakyRelu', { op: 'LeakyRelu', inputs: [s([2, 3, 5])], attrs: { alpha: aFloat(0.1) } }],
    [
      'Clip min/max inputs (relu6 style)',
      { op: 'Clip', inputs: [s([3, 7]), { shape: [], data: [-0.3], wrt: false }, { shape: [], data: [0.6], wrt: false }] },
    ],
    ['Clip max only', { op: 'Clip', inputs: [s([3, 7]), { shape: [], empty: true }, { shape: [], data: [0.2], wrt: false }] }],
    ['Sigmoid', { op: 'Sigmoid', inputs: [{ shape: [4, 5] }] }],
    ['Tanh', { op: 'Tanh', inputs: [{ shape: [4, 5] }] }],
    ['Elu', { op: 'Elu', inputs: [s([4, 5])], attrs: { alpha: aFloat(0.7) } }],
    ['Softplus', { op: 'Softplus', inputs: [{ shape: [4, 5] }] }],
    ['Sqrt', { op: 'Sqrt', inputs: [{ shape: [3, 4], data: 'pos' }] }],
    ['Abs', { op: 'Abs', inputs: [s([3, 4])] }],
    ['Exp', { op: 'Exp', inputs: [{ shape: [3, 4] }] }],
    ['Log', { op: 'Log', inputs: [{ shape: [3, 4], data: 'pos' }] }],
    ['Neg', { op: 'Neg', inputs: [{ shape: [3, 4] }] }],
    ['Reciprocal', { op: 'Reciprocal', inputs: [{ shape: [3, 4], data: 'pos' }] }],
    ['Identity', { op: 'Identity', inputs: [{ shape: [3, 4] }] }],
    ['Dropout (inference)', { op: 'Dropout', inputs: [{ shape: [3, 4] }] }],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('broadcasting arithmetic', () => {
  const cases: [string, OpCase][] = [
    ['Add [2,3,4]+[3,1]', { op: 'Add', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }] }],
    ['Add [1,3,1,5]+[2,1,4,1]', { op: 'Add', inputs: [{ shape: [1, 3, 1, 5] }, { shape: [2, 1, 4, 1] }] }],
    ['Sub [4]-[2,3,4]', { op: 'Sub', inputs: [{ shape: [4] }, { shape: [2, 3, 4] }] }],
    ['Mul [2,3,4]*[] scalar', { op: 'Mul', inputs: [{ shape: [2, 3, 4] }, { shape: [] }] }],
    ['Mul [2,1,3]*[5,1]', { op: 'Mul', inputs: [{ shape: [2, 1, 3] }, { shape: [5, 1] }] }],
    ['Div [3,4]/[4] (positive)', { op: 'Div', inputs: [{ shape: [3, 4] }, { shape: [4], data: 'pos' }] }],
    ['Div [1,4]/[3,1]', { op: 'Div', inputs: [{ shape: [1, 4] }, { shape: [3, 1], data: 'pos' }] }],
    [
      'Pow x^2.5',
      {
        op: 'Pow',
        inputs: [
          { shape: [3, 4], data: 'pos' },
          { shape: [], data: [2.5], wrt: false },
        ],
      },
    ],
    [
      'Pow x^p both',
      {
        op: 'Pow',
        inputs: [
          { shape: [3, 4], data: 'pos' },
          { shape: [4], data: 'pos' },
        ],
      },
    ],
    ['Sum of three with broadcast', { op: 'Sum', inputs: [{ shape: [2, 3] }, { shape: [3] }, { shape: [2, 1] }] }],
  ];
  for (const [name, c] of cases) it(name, () => expectGrad(c));
});

describe('softmax family', () => {
  it('Softmax axis -1', () => expectGrad({ op: 'Softmax', inputs: [{ shape: [3, 5] }] }));
  it('Softmax axis 1 of 4-D', () => expectGrad({ op: 'Softmax', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: aInt(1) } }));
  it('LogSoftmax axis -1', () => expectGrad({ op: 'LogSoftmax', inputs: [{ shape: [3, 5] }] }));
  it('LogSoftmax axis 0', () => expectGrad({ op: 'LogSoftmax', inputs: [{ shape: [4, 3] }], attrs: { axis: aInt(0) } }));
});
