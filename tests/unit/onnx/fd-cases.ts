// The finite-difference case table: every differentiable op in the rule table (main/onnx/grad/rules.ts)
// has at least one case here (grad-rule-table.test.ts fails otherwise). Each family's test file runs its
// cases through gradCheck: a one-node graph, loss = Σ y·R, every input element against a central difference.
import { aFloat, aInt, aInts, aString } from '../../../main/onnx/ir.js';
import { SPATIAL_CASES } from './fd-cases-spatial.js';
import type { OpCase } from './gradcheck.js';

export type CaseList = [string, OpCase][];

/** Distinct values ≥ 0.05 apart, away from 0: no ties, no kinks. */
const s = (shape: number[]) => ({ shape, data: 'spaced' as const });

/** Values spread between and beyond the kinks (never on one). */
function across(kinks: number[], n: number): number[] {
  const lo = Math.min(...kinks) - 1.3;
  const hi = Math.max(...kinks) + 1.3;
  const out = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.37)) / n);
  return out.map((v) => (kinks.some((k) => Math.abs(v - k) < 0.05) ? v + 0.1 : v));
}

/** Dividends whose quotients stay away from integers (fmod jumps there). */
const modDividend = [2.31, -1.47, 0.52, 3.9, -0.33, 1.18, -2.62, 0.41, 1.93, 0.27, -3.05, 2.44];

function resizeCase(shape: number[], attrs: Record<string, string>, scales?: number[], sizes?: number[]): OpCase {
  return {
    op: 'Resize',
    inputs: [
      { shape },
      { shape: [0], empty: true },
      scales ? { shape: [4], f32: scales } : { shape: [0], empty: true },
      ...(sizes ? [{ shape: [4], int64: sizes }] : []),
    ],
    attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, aString(v)])),
  };
}

export const FD_CASES = {
  activations: [
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
  ] as CaseList,
  arithmetic: [
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
  ] as CaseList,
  linear: [
    ['Gemm plain + bias row', { op: 'Gemm', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }, { shape: [5] }] }],
    [
      'Gemm transA',
      {
        op: 'Gemm',
        inputs: [{ shape: [4, 3] }, { shape: [4, 5] }, { shape: [3, 5] }],
        attrs: { transA: aInt(1), alpha: aFloat(0.7), beta: aFloat(1.3) },
      },
    ],
    [
      'Gemm transB (classifier)',
      { op: 'Gemm', inputs: [{ shape: [2, 4] }, { shape: [5, 4] }, { shape: [1, 5] }], attrs: { transB: aInt(1) } },
    ],
    [
      'Gemm transA transB scalar C',
      {
        op: 'Gemm',
        inputs: [{ shape: [4, 3] }, { shape: [5, 4] }, { shape: [] }],
        attrs: { transA: aInt(1), transB: aInt(1), alpha: aFloat(-0.5) },
      },
    ],
    ['MatMul 2-D', { op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }] }],
    ['MatMul batched broadcast', { op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] }],
    ['MatMul batch broadcast both', { op: 'MatMul', inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }] }],
    ['MatMul matrix·vector', { op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4] }] }],
    ['MatMul vector·matrix', { op: 'MatMul', inputs: [{ shape: [4] }, { shape: [2, 4, 3] }] }],
  ] as CaseList,
  movement: [
    [
      'Concat axis 1',
      { op: 'Concat', inputs: [{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }, { shape: [2, 2, 2] }], attrs: { axis: aInt(1) } },
    ],
    ['Concat axis -1', { op: 'Concat', inputs: [{ shape: [2, 3] }, { shape: [2, 2] }], attrs: { axis: aInt(-1) } }],
    [
      'Split sizes, both outputs',
      { op: 'Split', inputs: [{ shape: [2, 5, 3] }, { shape: [2], int64: [2, 3] }], attrs: { axis: aInt(1) }, outputs: 2 },
    ],
    ['Split equal 3 ways', { op: 'Split', inputs: [{ shape: [6, 2] }], attrs: { axis: aInt(0) }, outputs: 3 }],
    [
      'Slice step 2 negative start',
      {
        op: 'Slice',
        inputs: [
          { shape: [3, 7] },
          { shape: [2], int64: [0, -6] },
          { shape: [2], int64: [2, 7] },
          { shape: [2], int64: [0, 1] },
          { shape: [2], int64: [1, 2] },
        ],
      },
    ],
    [
      'Slice reversed',
      {
        op: 'Slice',
        inputs: [
          { shape: [5, 4] },
          { shape: [1], int64: [-1] },
          { shape: [1], int64: [-1000] },
          { shape: [1], int64: [0] },
          { shape: [1], int64: [-2] },
        ],
      },
    ],
    ['Flatten axis 2', { op: 'Flatten', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: aInt(2) } }],
    ['Reshape with -1 and 0', { op: 'Reshape', inputs: [{ shape: [2, 3, 4] }, { shape: [3], int64: [0, -1, 2] }] }],
    ['Transpose perm', { op: 'Transpose', inputs: [{ shape: [2, 3, 4] }], attrs: { perm: aInts([2, 0, 1]) } }],
    ['Transpose default (reverse)', { op: 'Transpose', inputs: [{ shape: [2, 3, 4] }] }],
    ['Squeeze', { op: 'Squeeze', inputs: [{ shape: [2, 1, 3, 1] }, { shape: [2], int64: [1, -1] }] }],
    ['Unsqueeze', { op: 'Unsqueeze', inputs: [{ shape: [2, 3] }, { shape: [2], int64: [0, 3] }] }],
    ['Pad constant', { op: 'Pad', inputs: [{ shape: [1, 2, 3, 3] }, { shape: [8], int64: [0, 0, 1, 2, 0, 1, 0, 1] }] }],
    [
      'Pad reflect',
      {
        op: 'Pad',
        inputs: [{ shape: [1, 1, 4, 5] }, { shape: [8], int64: [0, 0, 2, 1, 0, 0, 1, 3] }],
        attrs: { mode: aString('reflect') },
      },
    ],
    [
      'Pad edge',
      { op: 'Pad', inputs: [{ shape: [1, 2, 3, 3] }, { shape: [8], int64: [0, 0, 1, 1, 0, 0, 2, 0] }], attrs: { mode: aString('edge') } },
    ],
    [
      'Gather axis 1 with repeats',
      { op: 'Gather', inputs: [{ shape: [2, 4, 3] }, { shape: [3], int64: [3, 0, 3] }], attrs: { axis: aInt(1) } },
    ],
  ] as CaseList,
  reductions: [
    ['ReduceSum axes input keepdims', { op: 'ReduceSum', inputs: [{ shape: [2, 3, 4] }, { shape: [2], int64: [0, 2] }] }],
    ['ReduceSum all, keepdims 0', { op: 'ReduceSum', inputs: [{ shape: [2, 3, 4] }], attrs: { keepdims: aInt(0) } }],
    [
      'ReduceMean axes attr keepdims 0',
      { op: 'ReduceMean', inputs: [{ shape: [2, 3, 5] }], attrs: { axes: aInts([-1]), keepdims: aInt(0) } },
    ],
    ['ReduceMean spatial', { op: 'ReduceMean', inputs: [{ shape: [2, 3, 3, 2] }], attrs: { axes: aInts([2, 3]) } }],
    ['ReduceSumSquare', { op: 'ReduceSumSquare', inputs: [{ shape: [3, 4] }], attrs: { axes: aInts([1]), keepdims: aInt(0) } }],
  ] as CaseList,
  ...SPATIAL_CASES,
  softmax: [
    ['Softmax axis -1', { op: 'Softmax', inputs: [{ shape: [3, 5] }] }],
    ['Softmax axis 1 of 4-D', { op: 'Softmax', inputs: [{ shape: [2, 3, 2, 2] }], attrs: { axis: aInt(1) } }],
    ['LogSoftmax axis -1', { op: 'LogSoftmax', inputs: [{ shape: [3, 5] }] }],
    ['LogSoftmax axis 0', { op: 'LogSoftmax', inputs: [{ shape: [4, 3] }], attrs: { axis: aInt(0) } }],
  ] as CaseList,
  normalisation: [
    [
      'BatchNormalization (inference)',
      {
        op: 'BatchNormalization',
        inputs: [
          { shape: [2, 3, 4, 3] },
          { shape: [3], wrt: false },
          { shape: [3], wrt: false },
          { shape: [3], wrt: false },
          { shape: [3], data: 'pos', wrt: false },
        ],
        attrs: { epsilon: aFloat(1e-3) },
      },
    ],
    [
      'LRN size 5',
      { op: 'LRN', inputs: [{ shape: [1, 7, 3, 2] }], attrs: { size: aInt(5), alpha: aFloat(0.3), beta: aFloat(0.75), bias: aFloat(1.5) } },
    ],
    [
      'LRN size 3 (ORT allows odd sizes only)',
      { op: 'LRN', inputs: [{ shape: [2, 6, 2, 3] }], attrs: { size: aInt(3), alpha: aFloat(0.5), beta: aFloat(0.6), bias: aFloat(2) } },
    ],
  ] as CaseList,
  /** Rules that had no case before the table was checked for coverage. */
  coverage: [
    ['HardSigmoid across both kinks', { op: 'HardSigmoid', inputs: [{ shape: [8], data: across([-2.5, 2.5], 8) }] }],
    ['Sign (δ = 0 away from 0)', { op: 'Sign', inputs: [s([3, 4])] }],
    ['Cast double → double', { op: 'Cast', inputs: [{ shape: [3, 4] }], attrs: { to: aInt(11) }, precision: 'double' }],
  ] as CaseList,
  /** GELU (as Erf, and the opset-20 op), HardSwish, Mish, PRelu. */
  modernActivations: [
    ['Erf', { op: 'Erf', inputs: [{ shape: [3, 5] }] }],
    ['Gelu exact (opset 20)', { op: 'Gelu', inputs: [{ shape: [3, 5] }], opset: 20 }],
    ['Gelu tanh (opset 20)', { op: 'Gelu', inputs: [{ shape: [3, 5] }], attrs: { approximate: aString('tanh') }, opset: 20 }],
    ['HardSwish across both kinks', { op: 'HardSwish', inputs: [{ shape: [12], data: across([-3, 3], 12) }] }],
    ['Mish (opset 18)', { op: 'Mish', inputs: [{ shape: [3, 5] }], opset: 18 }],
    ['PRelu per-channel slope', { op: 'PRelu', inputs: [s([2, 3, 2, 2]), { shape: [3, 1, 1] }] }],
    ['PRelu scalar slope', { op: 'PRelu', inputs: [s([3, 4]), { shape: [1] }] }],
  ] as CaseList,
  /** Max/Min, Mod, Where, Expand, gathers and scatters, Einsum. */
  selection: [
    ['Max of three with broadcast', { op: 'Max', inputs: [{ shape: [2, 3] }, { shape: [3] }, { shape: [2, 1] }] }],
    ['Min of two', { op: 'Min', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] }],
    [
      'Mod fmod',
      {
        op: 'Mod',
        inputs: [
          { shape: [3, 4], data: modDividend },
          { shape: [4], data: [0.7, 1.3, 0.9, 1.7] },
        ],
        attrs: { fmod: aInt(1) },
      },
    ],
    [
      'Where with broadcast',
      {
        op: 'Where',
        inputs: [{ shape: [2, 3], bool: [true, false, true, false, false, true] }, { shape: [2, 3] }, { shape: [3] }],
      },
    ],
    ['Expand [3,1] → [2,3,4]', { op: 'Expand', inputs: [{ shape: [3, 1] }, { shape: [3], int64: [2, 3, 4] }] }],
    [
      'GatherElements axis 1 with repeats',
      { op: 'GatherElements', inputs: [{ shape: [3, 4] }, { shape: [3, 2], int64: [0, 3, 2, 2, -1, 0] }], attrs: { axis: aInt(1) } },
    ],
    ['ScatterND rows', { op: 'ScatterND', inputs: [{ shape: [4, 3] }, { shape: [2, 1], int64: [2, 0] }, { shape: [2, 3] }] }],
    [
      'ScatterND elements, reduction add',
      {
        op: 'ScatterND',
        inputs: [{ shape: [3, 3] }, { shape: [3, 2], int64: [0, 1, 2, 2, 0, 1] }, { shape: [3] }],
        attrs: { reduction: aString('add') },
      },
    ],
    [
      'Einsum batched matmul',
      { op: 'Einsum', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 2] }], attrs: { equation: aString('bij,bjk->bik') } },
    ],
    [
      'Einsum ellipsis',
      { op: 'Einsum', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 2] }], attrs: { equation: aString('...ij,jk->...ik') } },
    ],
    [
      'Einsum index summed in one operand',
      { op: 'Einsum', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }], attrs: { equation: aString('ij,kl->ik') } },
    ],
  ] as CaseList,
  /** LayerNormalization over any trailing axes, InstanceNormalization, GroupNormalization (opset 18 and 21). */
  layerNorms: [
    [
      'LayerNormalization last axis',
      {
        op: 'LayerNormalization',
        inputs: [{ shape: [2, 3, 4] }, { shape: [4], data: 'pos' }, { shape: [4] }],
        attrs: { epsilon: aFloat(1e-3) },
      },
    ],
    [
      'LayerNormalization axis 1 of 4-D',
      {
        op: 'LayerNormalization',
        inputs: [{ shape: [2, 3, 2, 2] }, { shape: [3, 2, 2], data: 'pos' }, { shape: [3, 2, 2] }],
        attrs: { axis: aInt(1) },
      },
    ],
    [
      'LayerNormalization no bias, axis -2',
      { op: 'LayerNormalization', inputs: [{ shape: [3, 2, 4] }, { shape: [2, 4] }], attrs: { axis: aInt(-2) } },
    ],
    [
      'InstanceNormalization',
      {
        op: 'InstanceNormalization',
        inputs: [{ shape: [2, 3, 3, 2] }, { shape: [3], data: 'pos' }, { shape: [3] }],
        attrs: { epsilon: aFloat(1e-3) },
      },
    ],
    [
      'GroupNormalization per-group scale (opset 18)',
      {
        op: 'GroupNormalization',
        inputs: [{ shape: [2, 4, 2, 3] }, { shape: [2], data: 'pos' }, { shape: [2] }],
        attrs: { num_groups: aInt(2) },
        opset: 18,
      },
    ],
    [
      'GroupNormalization per-channel scale (opset 21)',
      {
        op: 'GroupNormalization',
        inputs: [{ shape: [2, 6, 3] }, { shape: [6], data: 'pos' }, { shape: [6] }],
        attrs: { num_groups: aInt(3) },
        opset: 21,
        // stash_type 1 (the default) computes the statistics in float32 even for double inputs: check in float.
        precision: 'float',
      },
    ],
  ] as CaseList,
  /** Resize: nearest and linear in several coordinate modes, up and down, scales and sizes; cubic. */
  resize: [
    [
      'Resize nearest ×2 (asymmetric, floor)',
      resizeCase([1, 2, 3, 3], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, [1, 1, 2, 2]),
    ],
    ['Resize nearest ×1.5 (half_pixel, round_prefer_floor)', resizeCase([1, 1, 4, 3], { mode: 'nearest' }, [1, 1, 1.5, 2])],
    ['Resize linear ×2 (half_pixel)', resizeCase([1, 2, 3, 4], { mode: 'linear' }, [1, 1, 2, 2])],
    [
      'Resize linear ×0.5 (pytorch_half_pixel)',
      resizeCase([1, 1, 6, 4], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, [1, 1, 0.5, 0.5]),
    ],
    [
      'Resize linear to sizes (align_corners)',
      resizeCase([2, 1, 3, 3], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, undefined, [2, 1, 5, 4]),
    ],
    ['Resize cubic ×2', resizeCase([1, 1, 4, 4], { mode: 'cubic' }, [1, 1, 2, 2])],
  ] as CaseList,
};
