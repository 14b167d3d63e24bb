// The runner keeps at most MAX_CACHED_SESSIONS gradient sessions: each holds its own copy of the weights, and
// inversion, texture and style make new ones for every photo or size, so memory grew with every run before.
// The least recently asked-for session is released; one asked for again stays; one evicted mid-run finishes it.
import { describe, expect, it } from 'vitest';
import { aInts, DT, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { GradRunner, MAX_CACHED_SESSIONS } from '../../../main/onnx/runner.js';
import { rng } from './gradcheck.js';
import { node, testModel } from './graphs.js';

const r = rng(3);
const rand = (n: number) => Array.from({ length: n }, () => 2 * r() - 1);
const model: Model = testModel({
  nodes: [
    node('conv', 'Conv', ['x', 'w'], ['c'], { kernel_shape: aInts([3, 3]), pads: aInts([1, 1, 1, 1]) }),
    node('relu', 'Relu', ['c'], ['y']),
  ],
  inputs: [{ name: 'x', elemType: DT.FLOAT, shape: [1, 3, 'H', 'W'] }],
  outputs: [{ name: 'y', elemType: DT.FLOAT }],
  initializers: [floatTensor('w', [4, 3, 3, 3], rand(108))],
});
/** A distinct spec (another objective channel) per session, as new targets would make. */
const spec = (i: number) => ({ objectives: [{ objective: { kind: 'channel' as const, tensor: 'y', channel: i % 4 }, weight: 1 + i }] });
const x = () => Float32Array.from(rand(3 * 8 * 8));

describe('GradRunner session cache', () => {
  it(`keeps at most ${MAX_CACHED_SESSIONS} sessions, releasing the least recently used`, async () => {
    const runner = new GradRunner({ threads: 1 });
    const first = await runner.session(model, spec(0), [1, 3, 8, 8]);
    const second = await runner.session(model, spec(1), [1, 3, 8, 8]);
    for (let i = 2; i < MAX_CACHED_SESSIONS; i++) await runner.session(model, spec(i), [1, 3, 8, 8]);
    expect(await runner.session(model, spec(0), [1, 3, 8, 8])).toBe(first); // asked for again: now the newest
    await runner.session(model, spec(MAX_CACHED_SESSIONS), [1, 3, 8, 8]);
    expect(runner.cachedSessions).toBe(MAX_CACHED_SESSIONS);
    await new Promise((res) => setTimeout(res, 10));
    expect(second.released).toBe(true);
    expect(first.released).toBe(false);
    expect(Number.isFinite((await first.run(x(), [1, 3, 8, 8])).loss)).toBe(true);
    await expect(second.run(x(), [1, 3, 8, 8])).rejects.toThrow(/released/);
    await runner.release();
  });

  it('a session evicted while it runs finishes that run, then is released', async () => {
    const runner = new GradRunner({ threads: 1 });
    const busy = await runner.session(model, spec(0), [1, 3, 8, 8]);
    const running = busy.run(x(), [1, 3, 8, 8]);
    busy.retire();
    expect(busy.released).toBe(false);
    expect(Number.isFinite((await running).loss)).toBe(true);
    expect(busy.released).toBe(true);
    await runner.release();
  });
});
