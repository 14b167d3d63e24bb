// vision-studio playground: an optimiser's path on a 2-D test surface, in float64, with the training engine's
// own update rules (main/playground/optimizer-path.ts → main/train/optim/rules.ts RULES64: torch.optim's definitions).
import { parseArgs } from 'node:util';
import { computePath, isPlaygroundOptimizer, playgroundDefaults, PLAYGROUND_OPTIMIZERS } from '../../playground/optimizer-path.js';
import { SURFACES, SURFACE_IDS, isSurfaceId } from '../../playground/surfaces.js';
import type { Hyper } from '../../train/optim/optimizers.js';
import { EXIT, stdio, UsageError, type CliIO } from '../io.js';

const lrTable = SURFACE_IDS.map((s) => `${s} ${SURFACES[s].sgdLr}`).join(', ');

export const playgroundHelp = `Usage: vision-studio playground --surface S --optimizer O --start X,Y --steps N [--lr X] [--momentum M]
         [--rho R] [--beta1 B1] [--beta2 B2] [--eps E] [--json]

  Steps one optimiser on a 2-D test surface from (X, Y) in float64, with the training engine's own update
  rules (torch.optim's definitions, as on a float64 tensor of two elements) and the surface's analytic gradient.
  --surface    ${SURFACE_IDS.join(' | ')}
               (Rosenbrock a=1 b=100; ravine 0.05x² + 5y²; Rastrigin A=10)
  --optimizer  ${PLAYGROUND_OPTIMIZERS.join(' | ')}
  --start      X,Y (default: the surface's own start, e.g. rosenbrock -1.2,1)
  --steps      N ≥ 0 (the path has N + 1 points: the start and the point after each step)
  --lr         learning rate. Defaults: torch.optim's (Adagrad 0.01, Adadelta 1.0, RMSprop 0.01, Adam 0.001);
               torch's SGD has none, so sgd, momentum and nesterov take a per-surface lr below 2/λmax of the
               Hessian along the way: ${lrTable}
  --momentum   momentum (momentum, nesterov: default 0.9; nesterov is Nesterov's momentum; rmsprop: default 0)
  --rho        Adadelta's ρ (default 0.9) or RMSprop's α (default 0.99)
  --beta1      Adam's β₁ (default 0.9)     --beta2  Adam's β₂ (default 0.999)
  --eps        ε (Adagrad 1e-10, Adadelta 1e-6, RMSprop 1e-8, Adam 1e-8)
  --json       prints {"surface", "optimizer", "hyper", "path": [[x, y, f], ...]} (float64; a diverged value is null);
               without it, a tab-separated table: step, x, y, f.`;

/** The flags that set hyperparameters, and which torch keyword each sets for which optimiser. */
const FLAG_TARGETS: Record<string, Partial<Record<string, keyof Hyper>>> = {
  lr: { sgd: 'lr', momentum: 'lr', nesterov: 'lr', adagrad: 'lr', adadelta: 'lr', rmsprop: 'lr', adam: 'lr' },
  momentum: { momentum: 'momentum', nesterov: 'momentum', rmsprop: 'momentum' },
  rho: { adadelta: 'rho', rmsprop: 'alpha' },
  beta1: { adam: 'beta1' },
  beta2: { adam: 'beta2' },
  eps: { adagrad: 'eps', adadelta: 'eps', rmsprop: 'eps', adam: 'eps' },
};

function parseNumber(flag: string, v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a finite number (got "${v}")`);
  return n;
}

function parseStart(v: string): [number, number] {
  const parts = v.split(',');
  if (parts.length !== 2) throw new UsageError(`--start must be X,Y (got "${v}")`);
  return [parseNumber('start', parts[0]), parseNumber('start', parts[1])];
}

/** Hyperparameters from the flags given: each flag must apply to the optimiser (no silent no-ops). */
export function hyperFromFlags(optimizer: string, flags: Readonly<Record<string, string | boolean | undefined>>): Partial<Hyper> {
  const hyper: Partial<Hyper> = {};
  for (const [flag, targets] of Object.entries(FLAG_TARGETS)) {
    const v = flags[flag];
    if (typeof v !== 'string') continue;
    const key = targets[optimizer];
    if (!key) {
      const takers = Object.keys(targets).join(', ');
      throw new UsageError(`--${flag} does not apply to ${optimizer} (it is for ${takers})`);
    }
    (hyper as Record<string, number>)[key] = parseNumber(flag, v);
  }
  return hyper;
}

const NUMERIC_FLAGS = new Set(['--start', '--steps', ...Object.keys(FLAG_TARGETS).map((f) => `--${f}`)]);

/** `--start -1.2,1`: node's parseArgs takes "-1.2,1" for an option, so a negative number is joined to its flag. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (NUMERIC_FLAGS.has(argv[i]) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

export async function playgroundCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      surface: { type: 'string' },
      optimizer: { type: 'string' },
      start: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      momentum: { type: 'string' },
      rho: { type: 'string' },
      beta1: { type: 'string' },
      beta2: { type: 'string' },
      eps: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return (io.out(playgroundHelp), EXIT.ok);
  if (!values.surface) throw new UsageError(`--surface is required (${SURFACE_IDS.join(', ')})`);
  if (!isSurfaceId(values.surface)) throw new UsageError(`unknown --surface "${values.surface}" (${SURFACE_IDS.join(', ')})`);
  if (!values.optimizer) throw new UsageError(`--optimizer is required (${PLAYGROUND_OPTIMIZERS.join(', ')})`);
  if (!isPlaygroundOptimizer(values.optimizer))
    throw new UsageError(`unknown --optimizer "${values.optimizer}" (${PLAYGROUND_OPTIMIZERS.join(', ')})`);
  if (values.steps === undefined) throw new UsageError('--steps is required');
  const steps = Number(values.steps);
  if (!/^\d+$/.test(values.steps.trim()) || steps > 1_000_000)
    throw new UsageError(`--steps must be a whole number from 0 to 1000000 (got "${values.steps}")`);
  const surface = SURFACES[values.surface];
  const start = values.start === undefined ? surface.start : parseStart(values.start);
  const hyper = { ...playgroundDefaults(surface, values.optimizer), ...hyperFromFlags(values.optimizer, values) };
  let path: [number, number, number][];
  try {
    path = computePath({ surface, optimizer: values.optimizer, start, steps, hyper });
  } catch (e) {
    // torch's constructor checks (invalid beta, Nesterov without momentum, …) are usage errors here.
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  if (values.json) {
    io.out(JSON.stringify({ surface: surface.id, optimizer: values.optimizer, hyper, path }));
  } else {
    io.out(['step\tx\ty\tf', ...path.map((p, i) => `${i}\t${p.join('\t')}`)].join('\n'));
  }
  return EXIT.ok;
}
