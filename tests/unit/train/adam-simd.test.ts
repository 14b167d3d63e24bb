// The WebAssembly SIMD Adam must give the scalar loop's bits (and so torch's: optimizers.test.ts checks the
// rule against torch.optim through this kernel), on every length (the four-lane body and the scalar tail), for
// Adam and AdamW, and after its state is replaced as a checkpoint restore does.
import { describe, expect, it } from 'vitest';
import { AdamSimd, adamSimdAvailable, type AdamScalars } from '../../../main/train/optim/adam-simd';
import { ADAM_SIMD_WASM } from '../../../main/train/optim/adam-simd-wasm';
import { adamFast, RULES } from '../../../main/train/optim/rules';
import type { Hyper, ParamState } from '../../../main/train/optim/optimizers';
import { defaultHyper } from '../../../main/train/optim/optimizers';
import { seededRng } from '../../../main/optim/rng';
// @ts-expect-error: a plain ES module script without types
import { generate, SOURCES } from '../../../scripts/build-wasm.js';

/** Values across magnitudes, with zeros and subnormal-small ones, as real gradients have. */
function values(n: number, seed: number, scale: number): Float32Array {
  const rng = seededRng(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : (rng.next() - 0.5) * scale * 10 ** Math.floor(rng.next() * 8 - 6)));
}

const fr = Math.fround;
/** adamFast's scalars for step t, as adamRule derives them. */
function scalars(h: Hyper, t: number, decoupled: boolean): AdamScalars {
  return {
    decay: decoupled ? fr(1 - h.lr * h.weightDecay) : 1,
    negStep: fr(-(h.lr / (1 - h.beta1 ** t))),
    b1: fr(h.beta1),
    oneMinusB1: fr(1 - h.beta1),
    b2: fr(h.beta2),
    oneMinusB2: fr(1 - h.beta2),
    bc2Sqrt: fr(Math.sqrt(1 - h.beta2 ** t)),
    eps: fr(h.eps),
  };
}

const bitsEqual = (a: Float32Array, b: Float32Array) => {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diff = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff++;
  return diff;
};

describe('Adam in WebAssembly SIMD', () => {
  it('is available in this Node', () => {
    expect(adamSimdAvailable()).toBe(true);
  });

  it('is built from adam-simd.wat as committed (node scripts/build-wasm.js regenerates it)', async () => {
    const [wat, , name] = SOURCES[0];
    expect(await generate(wat, name)).toContain(`'${ADAM_SIMD_WASM}'`);
  });

  for (const id of ['adam', 'adamw'] as const)
    it(`${id}: the scalar loop's bits after 30 steps on lengths 64 to 61,706`, () => {
      const decoupled = id === 'adamw';
      const h = { ...defaultHyper(id), lr: 3e-3, weightDecay: decoupled ? 0.05 : 0 } as Hyper;
      for (const n of [64, 65, 66, 67, 1000, 61_706]) {
        const p0 = values(n, n, 2);
        const pRef = p0.slice();
        const mRef = new Float32Array(n);
        const vRef = new Float32Array(n);
        const p = p0.slice();
        const s: ParamState = { step: 0, buffers: {} };
        for (let t = 1; t <= 30; t++) {
          const g = values(n, 1000 * t + n, 1);
          s.step = t;
          RULES[id].step(p, g, s, h, true);
          adamFast(pRef, g, mRef, vRef, scalars(h, t, decoupled));
          if (t === 12) {
            // A checkpoint restore puts fresh copies in the state: they are taken in, not lost.
            s.buffers.exp_avg = s.buffers.exp_avg.slice();
            s.buffers.exp_avg_sq = s.buffers.exp_avg_sq.slice();
          }
        }
        expect(bitsEqual(p, pRef), `${id} n=${n}: parameters`).toBe(0);
        expect(bitsEqual(s.buffers.exp_avg, mRef), `${id} n=${n}: exp_avg`).toBe(0);
        expect(bitsEqual(s.buffers.exp_avg_sq, vRef), `${id} n=${n}: exp_avg_sq`).toBe(0);
      }
    });

  it('one rounding apart is caught: unfused multiply-adds (fusedMultiplyAdd false) differ within 30 steps', () => {
    const n = 4096;
    const h = { ...defaultHyper('adam'), lr: 3e-3 } as Hyper;
    const p = values(n, 1, 2);
    const q = p.slice();
    const s: ParamState = { step: 0, buffers: {} };
    const u: ParamState = { step: 0, buffers: {} };
    for (let t = 1; t <= 30; t++) {
      const g = values(n, t, 1);
      s.step = u.step = t;
      RULES.adam.step(p, g, s, h, true);
      RULES.adam.step(q, g, u, h, false);
    }
    expect(bitsEqual(p, q)).toBeGreaterThan(0);
  });

  it('keeps each tensor apart: two kernels never share memory', () => {
    const a = AdamSimd.create(100)!;
    const b = AdamSimd.create(100)!;
    a.m.fill(1);
    expect(b.m.every((x) => x === 0)).toBe(true);
    expect(a.m.buffer).not.toBe(b.m.buffer);
  });
});
