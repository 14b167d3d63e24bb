// ReLU → MaxPool is swapped to MaxPool → ReLU inside gradient graphs: same loss and input gradient as
// the graph left as it was (which a tap on the ReLU output forces), and the swap really happens.
import { describe, expect, it } from 'vitest';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { aInts, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { node, testModel, value } from './graphs.js';
import { GradRunner } from '../../../main/onnx/runner.js';
import { rng } from './gradcheck.js';

const r = rng(5);
const rand = (n: number, s = 1) => Array.from({ length: n }, () => s * (2 * r() - 1));

const weights = { w: rand(8 * 27, 0.5), b: rand(8, 0.3), w2: rand(32) };

function net(): Model {
  return testModel({
    nodes: [
      node('conv', 'Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) }),
      node('relu', 'Relu', ['c'], ['r']),
      node('pool', 'MaxPool', ['r'], ['p'], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) }),
      node('conv2', 'Conv', ['p', 'w2'], ['y'], { kernel_shape: aInts([1, 1]) }),
    ],
    inputs: [value('x', [1, 3, 'H', 'W'])],
    outputs: [value('y')],
    initializers: [
      floatTensor('w', [8, 3, 3, 3], weights.w),
      floatTensor('b', [8], weights.b),
      floatTensor('w2', [4, 8, 1, 1], weights.w2),
    ],
  });
}

describe('MaxPool before ReLU', () => {
  it('swaps the pair and keeps the loss and the input gradient', async () => {
    const objectives = [{ objective: { kind: 'sumsq' as const, tensor: 'y' } }];
    const swapped = buildGradGraph(net(), { objectives });
    const order = swapped.model.graph.nodes.map((n) => n.opType).filter((t) => t === 'Relu' || t === 'MaxPool');
    expect(order.slice(0, 2)).toEqual(['MaxPool', 'Relu']);
    // A tap on the ReLU output keeps the original order.
    const kept = buildGradGraph(net(), { objectives, taps: ['r'] });
    expect(
      kept.model.graph.nodes
        .map((n) => n.opType)
        .filter((t) => t === 'Relu' || t === 'MaxPool')
        .slice(0, 2),
    ).toEqual(['Relu', 'MaxPool']);

    const runner = new GradRunner({ threads: 1, precision: 'exact' });
    const dims = [1, 3, 10, 14];
    const x = Float32Array.from(rand(3 * 10 * 14));
    const a = await (await runner.session(net(), { objectives }, dims)).run(x, dims);
    const b = await (await runner.session(net(), { objectives, taps: ['r'] }, dims)).run(x, dims);
    await runner.release();
    expect(a.loss).toBeGreaterThan(0);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6 * b.loss);
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < a.grad.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(a.grad[i] - b.grad[i]));
      maxRef = Math.max(maxRef, Math.abs(b.grad[i]));
    }
    expect(maxRef).toBeGreaterThan(0);
    expect(maxErr).toBeLessThan(1e-6 * maxRef);
  });
});
