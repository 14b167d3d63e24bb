// Learning-rate schedules against torch.optim.lr_scheduler (StepLR, CosineAnnealingLR, OneCycleLR,
// LinearLR warmup chained in), step by step over 100 steps, to 1e-9 relative.
import { describe, expect, it } from 'vitest';
import { Optimizer, SCHEDULES, applySchedule, lrAt, momentumAt, warmupFactor, type ScheduleSpec } from '../../../main/train/optim/index.js';
import { fixture } from './torch-fixture.js';

const rel = (a: number, e: number): number => Math.abs(a - e) / Math.max(Math.abs(e), 1e-15);

describe('schedules match torch.optim.lr_scheduler', () => {
  it('the fixture covers every schedule kind and warmup', () => {
    expect(new Set(fixture.schedules.map((s) => s.spec.kind))).toEqual(new Set(Object.keys(SCHEDULES)));
    expect(fixture.schedules.some((s) => s.spec.warmup)).toBe(true);
  });

  for (const s of fixture.schedules) {
    it(`${s.name}: lr of both groups at every step within 1e-9`, () => {
      let worst = 0;
      s.baseLr.forEach((base, g) => {
        s.lr[g].forEach((expected, t) => {
          const err = rel(lrAt(s.spec, t, base), expected);
          worst = Math.max(worst, err);
          expect(err, `group ${g} step ${t}: ${lrAt(s.spec, t, base)} vs ${expected}`).toBeLessThanOrEqual(1e-9);
        });
      });
      console.log(`${s.name.padEnd(30)} max relative error ${worst.toExponential(2)}`);
    });
    if (s.momentum) {
      it(`${s.name}: cycled momentum at every step within 1e-9`, () => {
        s.momentum!.forEach((expected, t) => expect(rel(momentumAt(s.spec, t)!, expected), `step ${t}`).toBeLessThanOrEqual(1e-9));
      });
    }
  }

  it('applySchedule sets every group from its initial lr and cycles β₁ / momentum', () => {
    const spec: ScheduleSpec = { kind: 'one-cycle', totalSteps: 10 };
    const adam = new Optimizer('adam', [
      { params: [new Float32Array(1)], lr: 0.1 },
      { params: [new Float32Array(1)], lr: 0.01 },
    ]);
    const sgd = new Optimizer('momentum', [{ params: [new Float32Array(1)], lr: 0.1 }]);
    const plain = new Optimizer('sgd', [{ params: [new Float32Array(1)], lr: 0.1 }]);
    for (let t = 0; t < 10; t++) {
      applySchedule(adam, spec, t);
      applySchedule(sgd, spec, t);
      applySchedule(plain, spec, t);
      expect(adam.getLr(0)).toBe(lrAt(spec, t, 0.1));
      expect(adam.getLr(1)).toBe(lrAt(spec, t, 0.01));
      expect(adam.hyperOf(0).beta1).toBe(momentumAt(spec, t));
      expect(sgd.hyperOf(0).momentum).toBe(momentumAt(spec, t));
      expect(plain.getLr(0)).toBe(lrAt(spec, t, 0.1));
    }
    expect(adam.initialLr(0)).toBe(0.1);
    applySchedule(adam, { kind: 'one-cycle', totalSteps: 10, cycleMomentum: false }, 0);
    expect(momentumAt({ kind: 'cosine', tMax: 5 }, 3)).toBeNull();
  });

  it('warmup is torch LinearLR (default start factor 1/3) and multiplies any schedule', () => {
    expect(warmupFactor(undefined, 0)).toBe(1);
    expect(warmupFactor({ steps: 4 }, 0)).toBeCloseTo(1 / 3, 15);
    expect(warmupFactor({ steps: 4, startFactor: 0.2 }, 2)).toBeCloseTo(0.6, 15);
    expect(warmupFactor({ steps: 4, startFactor: 0.2 }, 40)).toBe(1);
    expect(lrAt({ kind: 'step', stepSize: 2, gamma: 0.5, warmup: { steps: 4, startFactor: 0.2 } }, 2, 1)).toBeCloseTo(0.3, 15);
  });

  it('rejects steps torch rejects', () => {
    expect(() => lrAt({ kind: 'one-cycle', totalSteps: 10 }, 11, 0.1)).toThrow(/past totalSteps/);
    expect(lrAt({ kind: 'one-cycle', totalSteps: 10 }, 10, 0.1)).toBeGreaterThan(0); // torch allows step == total_steps
    expect(() => lrAt({ kind: 'constant' }, -1, 0.1)).toThrow(RangeError);
    expect(() => lrAt({ kind: 'step', stepSize: 0 }, 1, 0.1)).toThrow(/stepSize/);
    expect(() => lrAt({ kind: 'cosine', tMax: 0 }, 1, 0.1)).toThrow(/tMax/);
  });
});
