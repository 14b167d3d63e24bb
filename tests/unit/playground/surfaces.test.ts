// The playground surfaces' analytic gradients against central finite differences, and a broken gradient
// that the same check catches; plus the CLI's usage errors a user would meet.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main.js';
import { SURFACES, SURFACE_IDS, surfaceFloor, type Surface } from '../../../main/playground/surfaces.js';
import { seededRng } from '../../../main/optim/rng.js';

/** Worst relative error of grad against (f(x + h) − f(x − h)) / 2h over random points of the domain. */
function gradientError(s: Surface, points = 200): number {
  const rng = seededRng(7);
  let worst = 0;
  for (let k = 0; k < points; k++) {
    const x = s.domain.x[0] + (s.domain.x[1] - s.domain.x[0]) * rng.next();
    const y = s.domain.y[0] + (s.domain.y[1] - s.domain.y[0]) * rng.next();
    const [gx, gy] = s.grad(x, y);
    const hx = 1e-6 * Math.max(1, Math.abs(x));
    const hy = 1e-6 * Math.max(1, Math.abs(y));
    const fx = (s.f(x + hx, y) - s.f(x - hx, y)) / (2 * hx);
    const fy = (s.f(x, y + hy) - s.f(x, y - hy)) / (2 * hy);
    const scale = Math.max(1, Math.abs(gx), Math.abs(gy));
    worst = Math.max(worst, Math.abs(gx - fx) / scale, Math.abs(gy - fy) / scale);
  }
  return worst;
}

describe('surfaces', () => {
  for (const id of SURFACE_IDS) {
    it(`${id}: analytic gradient equals finite differences (1e-6 relative)`, () => {
      expect(gradientError(SURFACES[id])).toBeLessThan(1e-6);
    });
  }

  it('a broken gradient fails the same check (Rosenbrock with b = 10 in ∂f/∂y, Beale missing a term)', () => {
    const r = SURFACES.rosenbrock;
    const brokenRosen: Surface = { ...r, grad: (x, y) => [r.grad(x, y)[0], 20 * (y - x * x)] };
    expect(gradientError(brokenRosen)).toBeGreaterThan(1e-2);
    const b = SURFACES.beale;
    const brokenBeale: Surface = {
      ...b,
      grad: (x, y) => {
        const [gx, gy] = b.grad(x, y);
        const c = 2.625 - x + x * y ** 3;
        return [gx - 2 * c * (y ** 3 - 1), gy];
      },
    };
    expect(gradientError(brokenBeale)).toBeGreaterThan(1e-2);
  });

  it('minima are where the gradient vanishes and f is lowest', () => {
    for (const id of SURFACE_IDS) {
      const s = SURFACES[id];
      for (const [x, y] of s.minima) {
        const [gx, gy] = s.grad(x, y);
        expect(Math.hypot(gx, gy), id).toBeLessThan(1e-3);
      }
      const floor = surfaceFloor(s);
      expect(s.f(...s.start), id).toBeGreaterThan(floor);
    }
  });
});

describe('vision-studio playground usage errors', () => {
  async function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(['playground', ...argv], { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  }

  it('names the bad value and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--optimizer', 'adam', '--steps', '5'], /--surface is required/],
      [['--surface', 'bowl', '--optimizer', 'adam', '--steps', '5'], /unknown --surface "bowl"/],
      [['--surface', 'beale', '--optimizer', 'lion', '--steps', '5'], /unknown --optimizer "lion"/],
      [['--surface', 'beale', '--optimizer', 'adam'], /--steps is required/],
      [['--surface', 'beale', '--optimizer', 'adam', '--steps', '2.5'], /--steps must be a whole number/],
      [['--surface', 'beale', '--optimizer', 'adam', '--steps', '5', '--start', '1;2'], /--start must be X,Y/],
      [['--surface', 'beale', '--optimizer', 'adam', '--steps', '5', '--start', 'a,2'], /--start must be a finite number/],
      [['--surface', 'beale', '--optimizer', 'adam', '--steps', '5', '--momentum', '0.9'], /--momentum does not apply to adam/],
      [['--surface', 'beale', '--optimizer', 'sgd', '--steps', '5', '--rho', '0.9'], /--rho does not apply to sgd/],
      [['--surface', 'beale', '--optimizer', 'adam', '--steps', '5', '--beta2', '1'], /invalid beta2: 1/],
      [['--surface', 'beale', '--optimizer', 'nesterov', '--steps', '5', '--momentum', '0'], /Nesterov/],
      [['--surface', 'beale', '--optimizer', 'sgd', '--steps', '5', '--lr', '-1'], /invalid learning rate: -1/],
      [['--surface', 'beale', '--optimizer', 'sgd', '--steps', '5', '--lr', 'fast'], /--lr must be a finite number/],
    ];
    for (const [argv, msg] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(msg);
      expect(r.out).toBe('');
    }
  });

  it('takes negative starts as values, defaults to the surface start, prints N + 1 rows as a table', async () => {
    const neg = await run('--surface', 'rosenbrock', '--optimizer', 'sgd', '--start', '-1.5,-0.5', '--steps', '3', '--json');
    expect(neg.code, neg.err).toBe(0);
    expect(JSON.parse(neg.out).path[0]).toEqual([-1.5, -0.5, SURFACES.rosenbrock.f(-1.5, -0.5)]);
    const table = await run('--surface', 'ravine', '--optimizer', 'momentum', '--steps', '4');
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toBe('step\tx\ty\tf');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe(`0\t${SURFACES.ravine.start.join('\t')}\t${SURFACES.ravine.f(...SURFACES.ravine.start)}`);
  });

  it('--help states the per-surface SGD learning rates', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const id of SURFACE_IDS) expect(r.out).toContain(`${id} ${SURFACES[id].sgdLr}`);
  });
});
