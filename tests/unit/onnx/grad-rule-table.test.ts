// The rule table carries each op's facts: every differentiable op has a finite-difference case, every op the
// engine accepts has shape inference (symbolic N/H/W included), and the driver reads non-differentiable
// outputs and broadcasting from the table.
import { describe, expect, it } from 'vitest';
import { OP_RULES, SUPPORTED_OPS } from '../../../main/onnx/grad/rules.js';
import { SUPPORTED_OPS as VALIDATE_OPS, validateModel } from '../../../main/onnx/validate.js';
import { aInt, aInts, aString, aTensor, DT, floatTensor, int64Tensor, type Node } from '../../../main/onnx/ir.js';
import { inferShapes } from '../../../main/onnx/shapes.js';
import { FD_CASES } from './fd-cases.js';
import { node, testModel, value } from './graphs.js';

describe('rule table', () => {
  it('every op with a backward has a finite-difference case', () => {
    const covered = new Set(
      Object.values(FD_CASES)
        .flat()
        .map(([, c]) => c.op),
    );
    const missing = Object.entries(OP_RULES)
      .filter(([op, r]) => r.backward && !covered.has(op))
      .map(([op]) => op);
    expect(missing, `rules without a case in tests/unit/onnx/fd-cases.ts: ${missing.join(', ')}`).toEqual([]);
  });

  it('SUPPORTED_OPS is the table (validate.ts re-exports it)', () => {
    expect([...SUPPORTED_OPS].sort()).toEqual(Object.keys(OP_RULES).sort());
    expect(VALIDATE_OPS).toBe(SUPPORTED_OPS);
    for (const op of ['LayerNormalization', 'Erf', 'Gelu', 'HardSwish', 'Mish', 'PRelu', 'Resize', 'ScatterND', 'Einsum', 'Where'])
      expect(SUPPORTED_OPS.has(op), op).toBe(true);
  });

  it('MaxPool indices and Dropout masks are non-differentiable outputs; shape and comparison ops have no backward', () => {
    expect(OP_RULES.MaxPool.nonDiffOutputs).toEqual([1]);
    expect(OP_RULES.Dropout.nonDiffOutputs).toEqual([1]);
    for (const op of ['Shape', 'Size', 'ConstantOfShape', 'Range', 'Equal', 'Not', 'Constant'])
      expect(OP_RULES[op].backward, op).toBeUndefined();
    for (const op of ['Add', 'Mul', 'Where', 'Expand', 'PRelu', 'Max']) expect(OP_RULES[op].broadcasts, op).toBe(true);
  });

  it('the gradient engine accepts a graph of the new ops (validate with requireSupported)', () => {
    const m = testModel({
      nodes: [node('e', 'Erf', ['x'], ['a']), node('h', 'HardSwish', ['a'], ['y'])],
      inputs: [value('x', ['N', 3, 'H', 'W'])],
      outputs: [value('y')],
    });
    expect(validateModel(m, { requireSupported: true })).toHaveLength(2);
  });
});

/** One-node graphs of the ops without a backward (and the index ops) at symbolic N/H/W. */
describe('shape inference of the new ops with symbolic N, H, W', () => {
  const x = value('x', ['N', 4, 'H', 'W']);
  const infer = (nodes: Node[], inits: ReturnType<typeof int64Tensor>[] = [], inputs = [x]) =>
    inferShapes(testModel({ nodes, inputs, outputs: [], initializers: inits }));

  it('pointwise and normalisation ops keep the shape; LayerNorm statistics keep the leading axes', () => {
    const s = infer(
      [
        node('a', 'Gelu', ['x'], ['a']),
        node('b', 'Mish', ['a'], ['b']),
        node('c', 'PRelu', ['b', 'slope'], ['c']),
        node('d', 'InstanceNormalization', ['c', 'g4', 'b4'], ['d']),
        node('e', 'GroupNormalization', ['d', 'g2', 'b2'], ['e'], { num_groups: aInt(2) }),
        node('f', 'LayerNormalization', ['e', 'gW'], ['f', 'mean', 'istd'], { axis: aInt(2) }),
      ],
      [
        floatTensor('slope', [4, 1, 1], [0.1, 0.2, 0.3, 0.4]),
        floatTensor('g4', [4], [1, 1, 1, 1]),
        floatTensor('b4', [4], [0, 0, 0, 0]),
        floatTensor('g2', [2], [1, 1]),
        floatTensor('b2', [2], [0, 0]),
        floatTensor('gW', [1], [1]),
      ],
    );
    expect(s.get('f')!.shape).toEqual(['N', 4, 'H', 'W']);
    expect(s.get('mean')!.shape).toEqual(['N', 4, 1, 1]);
  });

  it('Resize by scales doubles symbolic H and W; by sizes read from shapes gives those symbols', () => {
    const s = infer(
      [
        node('r', 'Resize', ['x', '', 'sc'], ['r'], { mode: aString('linear') }),
        node('sh', 'Shape', ['r'], ['shp']),
        node('r2', 'Resize', ['x', '', '', 'shp'], ['r2'], { mode: aString('nearest') }),
      ],
      [floatTensor('sc', [4], [1, 1, 2, 2])],
    );
    expect(s.get('r')!.shape).toEqual(['N', 4, 'floor(H*2)', 'floor(W*2)']);
    expect(s.get('r2')!.shape).toEqual(s.get('r')!.shape);
  });

  it('expand(N, -1, -1) as ViT exports it: Equal/Where on a shape vector, then Expand', () => {
    // cls [1, 1, 4] expanded to [N, 1, 4] with N read from x: Concat(N, -1, -1) → Where(== -1, 1, ·).
    const s = infer(
      [
        node('shape', 'Shape', ['x'], ['xs']),
        node('g', 'Gather', ['xs', 'zero'], ['n']),
        node('u', 'Unsqueeze', ['n', 'zero1'], ['n1']),
        node('cat', 'Concat', ['n1', 'm1', 'm1'], ['want'], { axis: aInt(0) }),
        node('eq', 'Equal', ['want', 'm1'], ['isneg']),
        node('cos', 'ConstantOfShape', ['three'], ['ones'], { value: aTensor(int64Tensor('v', [1], [1])) }),
        node('w', 'Where', ['isneg', 'ones', 'want'], ['target']),
        node('ex', 'Expand', ['cls', 'target'], ['tokens']),
        node('rg', 'Range', ['zero', 'n', 'one'], ['idx']),
        node('not', 'Not', ['isneg'], ['keep']),
      ],
      [
        int64Tensor('zero', [], [0]),
        int64Tensor('one', [], [1]),
        int64Tensor('zero1', [1], [0]),
        int64Tensor('m1', [1], [-1]),
        int64Tensor('three', [1], [3]),
        floatTensor('cls', [1, 1, 4], [1, 2, 3, 4]),
      ],
    );
    expect(s.get('tokens')!.shape).toEqual(['N', 1, 4]);
    expect(s.get('isneg')!.elemType).toBe(DT.BOOL);
    expect(s.get('keep')!.shape).toEqual([3]);
    expect(s.get('idx')!.shape).toHaveLength(1);
  });

  it('Swin-style padding to a window multiple: pads computed with Mod from the shape, then cropped back', () => {
    // pads = [0, 0, 0, 0, 0, 0, (7 − H mod 7) mod 7, (7 − W mod 7) mod 7]; x[:, :, :H, :W] afterwards.
    const s = infer(
      [
        node('shape', 'Shape', ['x'], ['xs']),
        node('hw', 'Slice', ['xs', 'two', 'four'], ['hw']),
        node('m1', 'Mod', ['hw', 'seven'], ['r']),
        node('sub', 'Sub', ['seven', 'r'], ['need']),
        node('m2', 'Mod', ['need', 'seven'], ['pad']),
        node('cat', 'Concat', ['zeros6', 'pad'], ['pads'], { axis: aInt(0) }),
        node('p', 'Pad', ['x', 'pads'], ['padded']),
        node('crop', 'Slice', ['padded', 'zero2', 'hw', 'axes23'], ['cropped']),
        node('pool', 'MaxPool', ['padded'], ['pooled'], { kernel_shape: aInts([7, 7]), strides: aInts([7, 7]) }),
      ],
      [
        int64Tensor('two', [1], [2]),
        int64Tensor('four', [1], [4]),
        int64Tensor('seven', [1], [7]),
        int64Tensor('zeros6', [6], [0, 0, 0, 0, 0, 0]),
        int64Tensor('zero2', [2], [0, 0]),
        int64Tensor('axes23', [2], [2, 3]),
      ],
    );
    expect(s.get('padded')!.shape.slice(0, 2)).toEqual(['N', 4]);
    expect(typeof s.get('padded')!.shape[2]).toBe('string');
    expect(s.get('cropped')!.shape).toEqual(['N', 4, 'H', 'W']);
    expect(s.get('pooled')!.shape).toHaveLength(4);
  });

  it('at a static size the same chain gives numbers (H 30 → 35, W 28 stays)', () => {
    const sx = value('x', [1, 4, 30, 28]);
    const s = infer(
      [
        node('shape', 'Shape', ['x'], ['xs']),
        node('hw', 'Slice', ['xs', 'two', 'four'], ['hw']),
        node('m1', 'Mod', ['hw', 'seven'], ['r']),
        node('sub', 'Sub', ['seven', 'r'], ['need']),
        node('m2', 'Mod', ['need', 'seven'], ['pad']),
        node('cat', 'Concat', ['zeros6', 'pad'], ['pads'], { axis: aInt(0) }),
        node('p', 'Pad', ['x', 'pads'], ['padded']),
      ],
      [
        int64Tensor('two', [1], [2]),
        int64Tensor('four', [1], [4]),
        int64Tensor('seven', [1], [7]),
        int64Tensor('zeros6', [6], [0, 0, 0, 0, 0, 0]),
      ],
      [sx],
    );
    expect(s.get('padded')!.shape).toEqual([1, 4, 35, 28]);
  });

  it('Einsum, GatherElements, ScatterND, comparisons', () => {
    const s = infer(
      [
        node('f', 'Reshape', ['x', 'ncT'], ['t']),
        node('e', 'Einsum', ['t', 'w'], ['e'], { equation: aString('nct,tk->nck') }),
        node('ge', 'GatherElements', ['e', 'idx'], ['ge'], { axis: aInt(2) }),
        node('sc', 'ScatterND', ['e', 'rows', 'upd'], ['sc']),
        node('lt', 'Less', ['e', 'zero'], ['neg']),
      ],
      [
        int64Tensor('ncT', [3], [0, 0, -1]),
        floatTensor('w', [6, 3], new Array(18).fill(0.1)),
        int64Tensor('idx', [1, 4, 2], [0, 1, 2, 0, 1, 2, 0, 1]),
        int64Tensor('rows', [1, 1], [0]),
        floatTensor('upd', [1, 4, 3], new Array(12).fill(1)),
        floatTensor('zero', [], [0]),
      ],
      [value('x', ['N', 4, 2, 3])],
    );
    expect(s.get('e')!.shape).toEqual(['N', 4, 3]);
    expect(s.get('ge')!.shape).toEqual([1, 4, 2]);
    expect(s.get('sc')!.shape).toEqual(['N', 4, 3]);
    expect(s.get('neg')!.elemType).toBe(DT.BOOL);
  });
});
