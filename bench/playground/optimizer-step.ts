// Optimiser-step benchmark (not a CI test): Optimizer.step over float32 parameters for every optimiser,
// to check that the precision-generic update rules (main/train/optim/rules.ts) cost training nothing.
// Three passes in one process: float32 alone, the float64 rules (the playground's) on the same sizes, then
// float32 again, now that the shared rule code has also seen float64 (what an engine that trains and serves
// the playground sees). Compare the float32 columns with the same script run on the commit before a change.
// Usage: npx tsx bench/playground/optimizer-step.ts [--n 1000000] [--reps 30]
import { parseArgs } from 'node:util';
import { Optimizer, RULES64, resolveHyper, type OptimizerId, type ParamState } from '../../main/train/optim/optimizers';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '30' } } });
const n = Number(values.n);
const reps = Number(values.reps);
const kinds: [OptimizerId, Record<string, number | boolean>][] = [
  ['sgd', {}],
  ['momentum', {}],
  ['nesterov', {}],
  ['adagrad', {}],
  ['adadelta', {}],
  ['rmsprop', {}],
  ['adam', {}],
  ['adam', { weightDecay: 1e-4 }],
  ['adamw', {}],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(step: () => void): number {
  for (let i = 0; i < 5; i++) step();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const g32 = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e-2);
const g64 = Float64Array.from(g32);
function f32(kind: OptimizerId, hyper: Record<string, number | boolean>): number {
  const p = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const opt = new Optimizer(kind, [{ params: [p] }], hyper);
  return time(() => opt.step([[g32]]));
}
function f64(kind: OptimizerId, hyper: Record<string, number | boolean>): number {
  const p = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const h = resolveHyper(kind, hyper);
  const s: ParamState<Float64Array> = { step: 0, buffers: {} };
  return time(() => {
    s.step += 1;
    RULES64[kind].step(p, g64, s, h, false);
  });
}

const before = kinds.map(([k, h]) => f32(k, h));
const wide = kinds.map(([k, h]) => f64(k, h));
const after = kinds.map(([k, h]) => f32(k, h));
console.log(`ms per step over ${n} parameters, median of ${reps}`);
console.log(`${'optimizer'.padEnd(30)} ${'float32'.padStart(8)} ${'float64'.padStart(8)} ${'float32 after float64'.padStart(22)}`);
kinds.forEach(([k, h], i) => {
  const label = `${k}${Object.keys(h).length ? ' ' + JSON.stringify(h) : ''}`;
  console.log(
    `${label.padEnd(30)} ${before[i].toFixed(2).padStart(8)} ${wide[i].toFixed(2).padStart(8)} ${after[i].toFixed(2).padStart(22)}`,
  );
});
