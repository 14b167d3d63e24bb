// The playground's loss surfaces: classic 2-D test functions with analytic gradients (checked against
// finite differences in tests/unit/playground/surfaces.test.ts). Node-free: the renderer imports it.
// f and grad are float64; the optimisers step on them with the training engine's own rules (path.ts).

export const SURFACE_IDS = ['rosenbrock', 'beale', 'himmelblau', 'saddle', 'ravine', 'rastrigin'] as const;
export type SurfaceId = (typeof SURFACE_IDS)[number];

export interface Surface {
  id: string;
  label: string;
  /** The formula as plain text (legend, --help). */
  formula: string;
  f(x: number, y: number): number;
  /** ∂f/∂x, ∂f/∂y at (x, y). */
  grad(x: number, y: number): [number, number];
  /** The square-ish region drawn: [xmin, xmax], [ymin, ymax]. */
  domain: { x: [number, number]; y: [number, number] };
  /** Global minima (empty where the surface is unbounded below). */
  minima: [number, number][];
  /** A start point that shows the surface's lesson. */
  start: [number, number];
  /**
   * Default learning rate of SGD, momentum and Nesterov here (torch's SGD has none): a round value below
   * 2/λmax of the Hessian along the way, so plain SGD is stable and the methods differ visibly.
   */
  sgdLr: number;
  /** Height drawn as log10(1 + f − fmin) where the surface spans decades (Rosenbrock, Beale). */
  logHeight: boolean;
}

const TWO_PI = 2 * Math.PI;

export const SURFACES: Readonly<Record<SurfaceId, Surface>> = {
  rosenbrock: {
    id: 'rosenbrock',
    label: 'Rosenbrock',
    formula: '(1 − x)² + 100(y − x²)²',
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    domain: { x: [-2, 2], y: [-1, 3] },
    minima: [[1, 1]],
    start: [-1.2, 1],
    // λmax ≈ 1,506 at the start, 1,002 at the minimum: lr < 1.3e-3.
    sgdLr: 1e-3,
    logHeight: true,
  },
  beale: {
    id: 'beale',
    label: 'Beale',
    formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const a = 1.5 - x + x * y;
      const b = 2.25 - x + x * y * y;
      const c = 2.625 - x + x * y ** 3;
      return [2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1), 2 * a * x + 4 * b * x * y + 6 * c * x * y * y];
    },
    domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
    minima: [[3, 0.5]],
    start: [1, 1.5],
    // λmax ≈ 282 at the start, 49 at the minimum.
    sgdLr: 1e-3,
    logHeight: true,
  },
  himmelblau: {
    id: 'himmelblau',
    label: 'Himmelblau',
    formula: '(x² + y − 11)² + (x + y² − 7)²',
    f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    grad: (x, y) => {
      const a = x * x + y - 11;
      const b = x + y * y - 7;
      return [4 * x * a + 2 * b, 2 * a + 4 * y * b];
    },
    domain: { x: [-5, 5], y: [-5, 5] },
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    start: [-0.3, -0.9],
    // λmax ≈ 82 at (3, 2).
    sgdLr: 1e-2,
    logHeight: false,
  },
  saddle: {
    id: 'saddle',
    label: 'Saddle',
    formula: 'x² − y²',
    f: (x, y) => x * x - y * y,
    grad: (x, y) => [2 * x, -2 * y],
    domain: { x: [-2, 2], y: [-2, 2] },
    minima: [],
    start: [1.8, 0.01],
    sgdLr: 1e-2,
    logHeight: false,
  },
  ravine: {
    id: 'ravine',
    label: 'Ravine',
    formula: '0.05x² + 5y² (condition number 100)',
    f: (x, y) => 0.05 * x * x + 5 * y * y,
    grad: (x, y) => [0.1 * x, 10 * y],
    domain: { x: [-10, 10], y: [-4, 4] },
    minima: [[0, 0]],
    start: [-9, 2.5],
    // λ = 0.1 and 10: SGD at 0.13 zig-zags across the ravine (factor −0.3) while creeping along it; Nesterov
    // (μ 0.9) is stable only below 2(1 + μ)/((1 + 2μ)·10) ≈ 0.136.
    sgdLr: 0.13,
    logHeight: false,
  },
  rastrigin: {
    id: 'rastrigin',
    label: 'Rastrigin',
    formula: '20 + x² − 10cos 2πx + y² − 10cos 2πy',
    f: (x, y) => 20 + x * x - 10 * Math.cos(TWO_PI * x) + y * y - 10 * Math.cos(TWO_PI * y),
    grad: (x, y) => [2 * x + 20 * Math.PI * Math.sin(TWO_PI * x), 2 * y + 20 * Math.PI * Math.sin(TWO_PI * y)],
    domain: { x: [-5.12, 5.12], y: [-5.12, 5.12] },
    minima: [[0, 0]],
    start: [-3.3, 3.6],
    // λmax = 2 + 40π² ≈ 397.
    sgdLr: 1e-3,
    logHeight: false,
  },
};

export function isSurfaceId(id: string): id is SurfaceId {
  return (SURFACE_IDS as readonly string[]).includes(id);
}

/** The lowest value on the surface's drawn domain (for log heights): its minimum, or a grid search. */
export function surfaceFloor(s: Surface): number {
  if (s.minima.length) return Math.min(...s.minima.map(([x, y]) => s.f(x, y)));
  let lo = Infinity;
  for (let i = 0; i <= 64; i++)
    for (let j = 0; j <= 64; j++) {
      const x = s.domain.x[0] + ((s.domain.x[1] - s.domain.x[0]) * i) / 64;
      const y = s.domain.y[0] + ((s.domain.y[1] - s.domain.y[0]) * j) / 64;
      lo = Math.min(lo, s.f(x, y));
    }
  return lo;
}
