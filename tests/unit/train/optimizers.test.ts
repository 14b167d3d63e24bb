// Optimisers against torch.optim 1.13: 100 steps from the same float32 start with parameter-dependent
// gradients, for every optimiser and several non-default hyperparameter sets, on both of torch's CPU
// kernels (vectorised fused multiply-add, and ATEN_CPU_CAPABILITY=default).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  OPTIMIZERS,
  Optimizer,
  applySchedule,
  defaultHyper,
  type OptimizerId,
  type OptimizerOptions,
  type OptimizerStateDict,
} from '../../../main/train/optim/index.js';
import { RULES, type UpdateRule } from '../../../main/train/optim/optimizers.js';
import { fixture, maxRelError, type OptimCase } from './torch-fixture.js';

const TOL = 1e-6;

/** g = 2·(p − target) + 0.1·sin p in float64, rounded to float32: the reference script's gradient. */
function gradient(p: Float32Array, t: Float32Array): Float32Array {
  const g = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) g[i] = 2 * (p[i] - t[i]) + 0.1 * Math.sin(p[i]);
  return g;
}

interface Run {
  opt: Optimizer;
  params: Float32Array[];
  grouped: <T>(xs: T[]) => T[][];
}

function setup(c: OptimCase, options: OptimizerOptions = {}, kind: OptimizerId = c.kind, hyper = c.hyper): Run {
  const params = fixture.init.map((x) => Float32Array.from(x));
  const grouped = <T>(xs: T[]): T[][] => c.groups.map((_, gi) => xs.filter((_, j) => fixture.groupOf[j] === gi));
  const groups = grouped(params).map((ps, gi) => ({ params: ps, ...c.groups[gi] }));
  return { opt: new Optimizer(kind, groups, hyper, options), params, grouped };
}

const targets = fixture.targets.map((t) => Float32Array.from(t));

function advance(run: Run, c: OptimCase, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    if (c.schedule) applySchedule(run.opt, c.schedule, k);
    run.opt.step(run.grouped(run.params.map((p, j) => gradient(p, targets[j]))));
  }
}

function runCase(c: OptimCase, options: OptimizerOptions = {}, kind?: OptimizerId, hyper?: OptimCase['hyper']): Float32Array[] {
  const run = setup(c, options, kind, hyper);
  advance(run, c, 0, fixture.steps);
  return run.params;
}

const caseByName = (name: string): OptimCase => fixture.cases.find((c) => c.name === name)!;
const expected = (name: string, fused = true): number[][] =>
  fixture.kernels.find((k) => k.fused === fused)!.cases.find((c) => c.name === name)!.final;

describe('optimisers match torch.optim 1.13', () => {
  it('the fixture covers every optimiser on a fused and a plain kernel', () => {
    expect(new Set(fixture.cases.map((c) => c.kind))).toEqual(new Set(Object.keys(OPTIMIZERS)));
    expect(fixture.kernels.map((k) => k.fused).sort()).toEqual([false, true]);
    expect(fixture.steps).toBe(100);
  });

  for (const kernel of fixture.kernels) {
    it(`every case within ${TOL} after ${fixture.steps} steps (${kernel.capability} kernel, ${kernel.fused ? 'fused' : 'plain'} multiply-add)`, () => {
      const errors: Record<string, number> = {};
      for (const c of fixture.cases) {
        const ours = runCase(c, { fusedMultiplyAdd: kernel.fused });
        errors[c.name] = maxRelError(ours, kernel.cases.find((k) => k.name === c.name)!.final);
      }
      console.log(
        `max relative error vs torch (${kernel.capability}):\n` +
          Object.entries(errors)
            .map(([k, v]) => `  ${k.padEnd(28)} ${v.toExponential(2)}`)
            .join('\n'),
      );
      for (const [name, err] of Object.entries(errors)) expect(err, name).toBeLessThanOrEqual(TOL);
    });
  }

  it("the kernel matters: torch's two CPU kernels differ by more than the tolerance somewhere", () => {
    const [a, b] = fixture.kernels;
    const worst = Math.max(
      ...a.cases.map((c, i) =>
        maxRelError(
          c.final.map((x) => Float64Array.from(x)),
          b.cases[i].final,
        ),
      ),
    );
    expect(worst).toBeGreaterThan(TOL);
  });

  it('defaults are torch.optim constructor defaults (SGD lr, which torch requires, is 0.01)', () => {
    for (const id of Object.keys(OPTIMIZERS) as OptimizerId[]) {
      const ours = defaultHyper(id);
      const torch = fixture.torchDefaults[id];
      for (const [k, v] of Object.entries(ours)) expect(torch[k as keyof typeof torch], `${id}.${k}`).toBe(v);
    }
  });

  it('hyperparameters resolve per group as torch param_groups do', () => {
    const kernel = fixture.kernels[0];
    for (const c of fixture.cases) {
      const { opt } = setup(c);
      const torchGroups = kernel.cases.find((k) => k.name === c.name)!.groups;
      torchGroups.forEach((tg, gi) => {
        for (const [k, v] of Object.entries(opt.hyperOf(gi))) expect(v, `${c.name} group ${gi} ${k}`).toBe(tg[k as keyof typeof tg]);
      });
    }
  });

  it('every entry has a label, a one-sentence summary and knobs with defaults inside their ranges', () => {
    for (const spec of Object.values(OPTIMIZERS)) {
      expect(spec.label.length).toBeGreaterThan(0);
      expect(spec.summary).toMatch(/^[A-Z].*\.$/);
      expect(spec.hyper[0].name).toBe('lr');
      for (const k of spec.hyper) {
        if (k.type !== 'number') continue;
        expect(k.default as number, `${spec.id}.${k.name}`).toBeGreaterThanOrEqual(k.min!);
        expect(k.default as number, `${spec.id}.${k.name}`).toBeLessThanOrEqual(k.max!);
        expect(k.step).toBeGreaterThan(0);
      }
      expect(spec.create([{ params: [new Float32Array(2)] }])).toBeInstanceOf(Optimizer);
    }
  });
});

describe('broken rules fail the comparison (the test can tell)', () => {
  const err = (name: string, kind?: OptimizerId, hyper?: OptimCase['hyper'], options?: OptimizerOptions) =>
    maxRelError(runCase(caseByName(name), options, kind, hyper), expected(name));

  it('Adam without bias correction', () => {
    const noBiasCorrection: UpdateRule = {
      step(p, g, s, h, fused) {
        const t = s.step;
        s.step = 1e9; // β^t → 0: both corrections become 1
        RULES.adam.step(p, g, s, h, fused);
        s.step = t;
      },
    };
    expect(err('adam')).toBeLessThanOrEqual(TOL);
    expect(err('adam', 'adam', caseByName('adam').hyper, { rule: noBiasCorrection })).toBeGreaterThan(1e-2);
  });

  it('Nesterov computed as plain momentum', () => {
    expect(err('nesterov', 'momentum')).toBeGreaterThan(1e-2);
  });

  it('AdamW with its weight decay put through the gradient (Adam L2)', () => {
    expect(err('adamw-amsgrad', 'adam')).toBeGreaterThan(1e-3);
  });

  it('RMSprop not centered', () => {
    const c = caseByName('rmsprop-centered-momentum');
    expect(err(c.name, 'rmsprop', { ...c.hyper, centered: false })).toBeGreaterThan(1e-3);
  });

  it('Adagrad without lr decay', () => {
    const c = caseByName('adagrad-decay-wd-init');
    expect(err(c.name, 'adagrad', { ...c.hyper, lrDecay: 0 })).toBeGreaterThan(1e-3);
  });
});

describe('optimiser state', () => {
  const variants: [OptimizerId, Record<string, number | boolean>, string[]][] = [
    ['sgd', {}, []],
    ['momentum', {}, ['momentum_buffer']],
    ['nesterov', {}, ['momentum_buffer']],
    ['adagrad', {}, ['sum']],
    ['adadelta', {}, ['square_avg', 'acc_delta']],
    ['rmsprop', { centered: true, momentum: 0.9 }, ['square_avg', 'grad_avg', 'momentum_buffer']],
    ['adam', { amsgrad: true }, ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']],
    ['adamw', {}, ['exp_avg', 'exp_avg_sq']],
  ];
  for (const [kind, hyper, buffers] of variants) {
    it(`${kind}: state is float32 under torch's names`, () => {
      const p = Float32Array.of(1, -2, 3);
      const opt = new Optimizer(kind, [{ params: [p] }], hyper);
      opt.step([[Float32Array.of(0.5, 0.25, -1)]]);
      opt.step([[Float32Array.of(0.5, 0.25, -1)]]);
      const s = opt.state[0][0];
      expect(s.step).toBe(2);
      expect(Object.keys(s.buffers).sort()).toEqual([...buffers].sort());
      for (const b of Object.values(s.buffers)) {
        expect(b).toBeInstanceOf(Float32Array);
        expect(b.length).toBe(3);
      }
    });
  }

  for (const name of [
    'momentum-dampening-wd',
    'nesterov',
    'adagrad-decay-wd-init',
    'adadelta',
    'rmsprop-centered-momentum',
    'adam-amsgrad',
    'adamw',
    'adam-onecycle',
  ]) {
    it(`${name}: stateDict → JSON → loadStateDict continues the identical trajectory`, () => {
      const c = caseByName(name);
      const whole = setup(c);
      advance(whole, c, 0, 100);

      const first = setup(c);
      advance(first, c, 0, 50);
      const sd = first.opt.stateDict();
      const weightsAt50 = first.params.map((p) => p.slice());
      const snapshot = JSON.stringify(sd); // typed arrays go through JSON as {"0": …}
      advance(first, c, 50, 60); // the dict is a copy: later steps must not leak into it
      expect(JSON.stringify(sd)).toBe(snapshot);

      const resumed = setup(c);
      resumed.params.forEach((p, j) => p.set(weightsAt50[j]));
      resumed.opt.loadStateDict(JSON.parse(snapshot));
      advance(resumed, c, 50, 100);
      resumed.params.forEach((p, j) => expect(Array.from(p), `param ${j}`).toEqual(Array.from(whole.params[j])));
      for (const s of resumed.opt.state.flat()) for (const b of Object.values(s.buffers)) expect(b).toBeInstanceOf(Float32Array);
    });
  }

  it('stateDict keeps typed arrays and the per-group lr', () => {
    const p = [new Float32Array(4), new Float32Array(2)];
    const opt = new Optimizer('adam', [{ params: [p[0]] }, { params: [p[1]], lr: 0.5 }]);
    opt.step([[Float32Array.of(1, 2, 3, 4)], [null]]);
    opt.setLr(0, 0.02);
    const sd: OptimizerStateDict = opt.stateDict();
    expect(sd.paramGroups.map((g) => g.hyper.lr)).toEqual([0.02, 0.5]);
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.state[0]!.buffers.exp_avg).toBeInstanceOf(Float32Array);
    expect(sd.state[1]).toBeNull(); // no gradient yet: no state, as torch
    const other = new Optimizer('adam', [{ params: [new Float32Array(4)] }, { params: [new Float32Array(2)] }]);
    other.loadStateDict(sd);
    expect(other.getLr(0)).toBe(0.02);
    expect(other.initialLr(0)).toBe(1e-3);
    expect(() => new Optimizer('sgd', [{ params: [new Float32Array(4)] }, { params: [new Float32Array(2)] }]).loadStateDict(sd)).toThrow(
      /adam/,
    );
    expect(() => new Optimizer('adam', [{ params: [new Float32Array(3)] }, { params: [new Float32Array(2)] }]).loadStateDict(sd)).toThrow(
      /values/,
    );
  });
});

describe('optimiser API', () => {
  it('rejects what torch rejects, and unknown knobs', () => {
    const p = () => [{ params: [new Float32Array(1)] }];
    expect(() => new Optimizer('adam', p(), { lr: -1 })).toThrow(RangeError);
    expect(() => new Optimizer('adam', p(), { beta1: 1 })).toThrow(/beta1/);
    expect(() => new Optimizer('rmsprop', p(), { eps: -1 })).toThrow(/epsilon/);
    expect(() => new Optimizer('sgd', p(), { momentum: 0.9 })).toThrow(/no hyperparameter 'momentum'/);
    expect(() => new Optimizer('nesterov', p(), { momentum: 0 })).toThrow(/Nesterov/);
    const shared = new Float32Array(1);
    expect(() => new Optimizer('sgd', [{ params: [shared] }, { params: [shared] }])).toThrow(/more than one/);
    expect(() => new Optimizer('sgd', [])).toThrow(/empty/);
  });

  it('checks gradient shapes; a null gradient skips the parameter', () => {
    const a = Float32Array.of(1, 1);
    const b = Float32Array.of(1);
    const opt = new Optimizer('sgd', [{ params: [a, b], lr: 0.5 }]);
    expect(() => opt.step([[Float32Array.of(1, 1)]])).toThrow(/2 params/);
    expect(() => opt.step([[Float32Array.of(1), null]])).toThrow(/values/);
    opt.step([[Float32Array.of(1, 2), null]]);
    expect(Array.from(a)).toEqual([0.5, 0]);
    expect(Array.from(b)).toEqual([1]);
    expect(opt.state[0].map((s) => s.step)).toEqual([1, 0]);
  });

  it('lr per group: setLr changes the step, initialLr stays for schedules', () => {
    const p = Float32Array.of(0);
    const opt = new Optimizer('sgd', [{ params: [p], lr: 0.1 }]);
    opt.setLr(0, 0.25);
    opt.step([[Float32Array.of(1)]]);
    expect(p[0]).toBe(-0.25);
    expect(opt.initialLr(0)).toBe(0.1);
    expect(() => opt.getLr(1)).toThrow(/group 1/);
  });

  it('is Node-free: no node: or onnxruntime imports in main/train/optim', () => {
    const dir = new URL('../../../main/train/optim/', import.meta.url);
    for (const f of readdirSync(dir)) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src, f).not.toMatch(/from\s+['"](node:|fs|path|onnxruntime|electron)/);
      expect(src, f).not.toMatch(/\brequire\(|\bprocess\./);
    }
  });
});
