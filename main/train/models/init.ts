// Seeded weight initialisers, with fans and gains exactly as torch.nn.init computes them:
// for a weight [out, in, k…] (conv) or [out, in] (linear), fan_in = in·∏k and fan_out = out·∏k.
import type { Rng } from '../../optim/rng.js';

export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nl: Nonlinearity, slope = 0.01): number {
  switch (nl) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + slope * slope));
  }
}

/** torch.nn.init._calculate_fan_in_and_fan_out. */
export function fans(dims: readonly number[]): { fanIn: number; fanOut: number } {
  if (dims.length < 2) throw new Error(`fans need a weight of rank ≥ 2, got [${dims}]`);
  const receptive = dims.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: dims[1] * receptive, fanOut: dims[0] * receptive };
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const uniform = (n: number, bound: number, rng: Rng) => Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * bound);
const normal = (n: number, std: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.normal() * std);

/** U(−a, a), a = gain·√(6/(fan_in + fan_out)). */
export const xavierUniform = (dims: readonly number[], rng: Rng, gain = 1): Float32Array => {
  const { fanIn, fanOut } = fans(dims);
  return uniform(count(dims), gain * Math.sqrt(6 / (fanIn + fanOut)), rng);
};

/** N(0, σ²), σ = gain·√(2/(fan_in + fan_out)). */
export const xavierNormal = (dims: readonly number[], rng: Rng, gain = 1): Float32Array => {
  const { fanIn, fanOut } = fans(dims);
  return normal(count(dims), gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
};

export interface KaimingOptions {
  /** Negative slope for leaky_relu (torch's `a`). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/** σ = gain/√fan, torch's defaults (a = 0, fan_in, leaky_relu, so gain √2). */
function kaimingStd(dims: readonly number[], o: KaimingOptions): number {
  const f = fans(dims);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? f.fanIn : f.fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/** U(−b, b), b = √3·σ. */
export const kaimingUniform = (dims: readonly number[], rng: Rng, o: KaimingOptions = {}): Float32Array =>
  uniform(count(dims), Math.sqrt(3) * kaimingStd(dims, o), rng);

/** N(0, σ²). */
export const kaimingNormal = (dims: readonly number[], rng: Rng, o: KaimingOptions = {}): Float32Array =>
  normal(count(dims), kaimingStd(dims, o), rng);

export interface InitScheme {
  label: string;
  weight(dims: readonly number[], rng: Rng): Float32Array;
  /** Bias of a layer whose weight has these dims. */
  bias(weightDims: readonly number[], rng: Rng): Float32Array;
}

const zeros = (dims: readonly number[]) => new Float32Array(dims[0]);

/** Conv and Linear weight/bias schemes; BN always starts at γ = 1, β = 0, running mean 0, var 1. */
export const INIT_SCHEMES = {
  he: {
    label: 'He/Kaiming normal (fan_in, ReLU gain √2), zero biases',
    weight: (dims, rng) => kaimingNormal(dims, rng, { nonlinearity: 'relu' }),
    bias: zeros,
  },
  xavier: {
    label: 'Xavier/Glorot uniform (gain 1), zero biases',
    weight: (dims, rng) => xavierUniform(dims, rng),
    bias: zeros,
  },
  // torch.nn.Conv2d / Linear reset_parameters: kaiming_uniform_(a=√5), i.e. U(±1/√fan_in), and the bias
  // U(±1/√fan_in).
  'torch-default': {
    label: "PyTorch's layer default: weight and bias U(±1/√fan_in)",
    weight: (dims, rng) => kaimingUniform(dims, rng, { a: Math.sqrt(5) }),
    bias: (dims, rng) => uniform(dims[0], 1 / Math.sqrt(fans(dims).fanIn), rng),
  },
} satisfies Record<string, InitScheme>;

export type InitName = keyof typeof INIT_SCHEMES;
