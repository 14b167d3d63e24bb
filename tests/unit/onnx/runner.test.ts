// The runner on synthetic models (no shared models needed): session reuse across sizes for dynamic
// graphs, one graph per size when a Gemm pins the size, taps, targets and release.
import { afterAll, describe, expect, it } from 'vitest';
import { aInt, aInts, DT, floatTensor, type Model } from '../../../main/onnx/ir.js';
import type { Rule } from '../../../main/onnx/grad/context.js';
import { GradRunner } from '../../../main/onnx/runner.js';
import { gramOf } from '../../../main/techniques/create-shared/gram.js';
import { rng } from './gradcheck.js';
import { node, testModel } from './graphs.js';

const r = rng(8);
const rand = (n: number) => Array.from({ length: n }, () => 2 * r() - 1);

function model(pinned: boolean): Model {
  const nodes = [
    node('conv', 'Conv', ['x', 'w'], ['c'], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) }),
    node('relu', 'Relu', ['c'], ['a']),
    node('pool', 'MaxPool', ['a'], ['p'], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) }),
    pinned ? node('flat', 'Flatten', ['p'], ['f']) : node('gap', 'GlobalAveragePool', ['p'], ['g']),
    ...(pinned ? [] : [node('flat', 'Flatten', ['g'], ['f'])]),
    node('fc', 'Gemm', ['f', 'fw'], ['y'], { transB: aInt(1) }),
  ];
  return testModel({
    name: pinned ? 'pinned' : 'dyn',
    nodes,
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, shape: [1, 2] }],
    initializers: new Map([
      ['w', floatTensor('w', [4, 3, 3, 3], rand(108))],
      ['fw', floatTensor('fw', [2, pinned ? 4 * 4 * 4 : 4], rand(pinned ? 128 : 8))],
    ]),
  });
}

const runner = new GradRunner({ threads: 1 });
afterAll(() => runner.release());

describe('GradRunner', () => {
  it('reuses one session for every size when the spatial size can be dynamic', async () => {
    const m = model(false);
    const spec = { objectives: [{ objective: { kind: 'class' as const, tensor: 'y', index: 1 } }], taps: ['a'] };
    const s1 = await runner.session(m, spec, [1, 3, 8, 8]);
    const s2 = await runner.session(m, spec, [2, 3, 13, 11]);
    expect(s2).toBe(s1);
    expect(s1.graph.dynamic).toBe(true);
    const res = await s2.run(Float32Array.from(rand(2 * 3 * 13 * 11)), [2, 3, 13, 11]);
    expect(res.dims).toEqual([2, 3, 13, 11]);
    expect(res.taps.a.dims).toEqual([2, 4, 13, 11]);
    expect(Number.isFinite(res.loss)).toBe(true);
  });

  it('never hands a session built with the real rules to a caller that passed replacement rules (mutation tests)', async () => {
    const m = model(false);
    const spec = { objectives: [{ objective: { kind: 'sumsq' as const, tensor: 'y' } }] };
    const plain = await runner.session(m, spec, [1, 3, 8, 8]);
    // A broken ReLU rule that passes the gradient straight through: its session must be its own, and its
    // gradient must differ from the real one.
    const straight: Rule = (c) => [c.gy[0]!];
    const rules = { Relu: straight };
    const mutated = await runner.session(m, { ...spec, rules }, [1, 3, 8, 8]);
    expect(mutated).not.toBe(plain);
    expect(await runner.session(m, { ...spec, rules }, [1, 3, 8, 8])).toBe(mutated);
    const x = Float32Array.from(rand(192));
    const a = await plain.run(x, [1, 3, 8, 8]);
    const b = await mutated.run(x, [1, 3, 8, 8]);
    expect(Array.from(b.grad).some((v, i) => Math.abs(v - a.grad[i]) > 1e-6)).toBe(true);
  });

  it('builds one graph per size when a Gemm pins the size', async () => {
    const m = model(true);
    const spec = { objectives: [{ objective: { kind: 'sumsq' as const, tensor: 'y' } }] };
    const s1 = await runner.session(m, spec, [1, 3, 8, 8]);
    expect(s1.graph.dynamic).toBe(false);
    expect(await runner.session(m, spec, [1, 3, 8, 8])).toBe(s1);
    const r8 = await s1.run(Float32Array.from(rand(192)), [1, 3, 8, 8]);
    expect(r8.dims).toEqual([1, 3, 8, 8]);
    // 9×9 flattens to the same 64 features: a second graph for that size works...
    const s9 = await runner.session(m, spec, [1, 3, 9, 9]);
    expect(s9).not.toBe(s1);
    expect((await s9.run(Float32Array.from(rand(243)), [1, 3, 9, 9])).dims).toEqual([1, 3, 9, 9]);
    // ...while 11×11 would need 100 features: refused when the graph is built.
    await expect(runner.session(m, spec, [1, 3, 11, 11])).rejects.toThrow(/fixes its input size/);
  });

  it('NHWC models (TensorFlow exports) get dynamic H and W, not dynamic channels', async () => {
    const m = model(false);
    m.graph.inputs[0] = { name: 'xn', elemType: DT.FLOAT, shape: [1, 8, 8, 3] };
    m.graph.nodes.unshift(node('tr', 'Transpose', ['xn'], ['x'], { perm: aInts([0, 3, 1, 2]) }));
    const s = await runner.session(m, { objectives: [{ objective: { kind: 'sumsq', tensor: 'y' } }] }, [1, 12, 10, 3]);
    expect(s.graph.dynamic).toBe(true);
    expect(s.graph.model.graph.inputs.find((v) => v.name === 'xn')!.shape).toEqual(['N', 'H', 'W', 3]);
    const res = await s.run(Float32Array.from(rand(12 * 10 * 3)), [1, 12, 10, 3]);
    expect(res.dims).toEqual([1, 12, 10, 3]);
  });

  it('feeds targets, returns taps, and content loss is zero at the target', async () => {
    const m = model(false);
    const x = Float32Array.from(rand(3 * 10 * 10));
    const taps = await runner.taps(m, ['a'], x, [1, 3, 10, 10]);
    const res = await runner.gradient(m, { objectives: [{ objective: { kind: 'content', tensor: 'a' } }] }, x, [1, 3, 10, 10], {
      'target:a': taps.a,
    });
    expect(res.loss).toBeCloseTo(0, 10);
    expect(Math.max(...Array.from(res.grad, Math.abs))).toBeLessThan(1e-6);
    await expect(runner.gradient(m, { objectives: [{ objective: { kind: 'content', tensor: 'a' } }] }, x, [1, 3, 10, 10])).rejects.toThrow(
      /needs target "target:a"/,
    );
  });

  it('forward: taps and Gram matrices of several images of different sizes from one session', async () => {
    const m = model(false);
    const imgs = [
      { data: Float32Array.from(rand(3 * 10 * 12)), dims: [1, 3, 10, 12] },
      { data: Float32Array.from(rand(3 * 6 * 8)), dims: [1, 3, 6, 8] },
    ];
    const out = await runner.forward(m, { taps: ['a'], grams: ['a', 'p'] }, imgs);
    expect(out).toHaveLength(2);
    for (const [i, o] of out.entries()) {
      expect(o.a.dims).toEqual([1, 4, ...imgs[i].dims.slice(2)]);
      for (const t of ['a', 'p']) {
        const want = gramOf(t === 'a' ? o.a : (await runner.taps(m, ['p'], imgs[i].data, imgs[i].dims)).p);
        const got = o[`gram:${t}`];
        expect(got.dims).toEqual([1, 4, 4]);
        for (let k = 0; k < 16; k++) expect(got.data[k]).toBeCloseTo(want.data[k], 5);
      }
    }
  });

  it('forward targets match the Winograd-lowered gradient graph: content loss ≈ 0 at the target', async () => {
    // 3×3 convs with 128 channels are lowered in both sessions, which share the transformed weights.
    const wide = model(false);
    wide.graph.nodes.splice(
      1,
      0,
      node('conv2', 'Conv', ['c0', 'w2'], ['c1'], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) }),
      node('conv3', 'Conv', ['c1', 'w3'], ['c'], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) }),
    );
    wide.graph.nodes[0] = node('conv', 'Conv', ['x', 'w1'], ['c0'], { kernel_shape: aInts([1, 1]) });
    wide.graph.initializers.set('w1', floatTensor('w1', [128, 3, 1, 1], rand(384)));
    wide.graph.initializers.set(
      'w2',
      floatTensor(
        'w2',
        [128, 128, 3, 3],
        rand(128 * 128 * 9).map((v) => v / 34),
      ),
    );
    wide.graph.initializers.set(
      'w3',
      floatTensor(
        'w3',
        [4, 128, 3, 3],
        rand(4 * 128 * 9).map((v) => v / 34),
      ),
    );
    const fast = new GradRunner({ threads: 1 });
    const x = Float32Array.from(rand(3 * 12 * 12));
    const [t] = await fast.forward(wide, { taps: ['a'] }, [{ data: x, dims: [1, 3, 12, 12] }]);
    const spec = { objectives: [{ objective: { kind: 'content' as const, tensor: 'a' } }] };
    const s = await fast.session(wide, spec, [1, 3, 12, 12]);
    expect(s.graph.model.graph.nodes.filter((n) => n.name.startsWith('wino/wt_mm')).length).toBeGreaterThan(0);
    const res = await s.run(x, [1, 3, 12, 12], { 'target:a': t.a });
    const ms = t.a.data.reduce((acc, v) => acc + v * v, 0) / t.a.data.length;
    expect(res.loss / ms).toBeLessThan(1e-13);
    await fast.release();
  });
});
