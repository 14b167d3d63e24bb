// Backward rules of the smooth and piecewise activations modern classifiers use (GELU through Erf in
// ViT/ConvNeXt/Swin, HardSwish in MobileNetV3, Mish, PReLU). δx = δy · f'(x), f' written with ops.
import { attrString } from '../ir.js';
import { gy0, type Rule, type RuleTable } from './context.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** erf'(x) = 2/√π · exp(−x²). */
const erf: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const e = b.op('Exp', [b.op('Neg', [b.mul(x, x)])]);
  return [b.mul(gy0(c), b.scale(e, 2 / Math.sqrt(Math.PI)))];
};

/**
 * Gelu (opset 20). Exact: y = x·Φ(x), y' = Φ(x) + x·φ(x) with φ(x) = exp(−x²/2)/√(2π).
 * approximate="tanh": y = x/2·(1 + t), t = tanh(√(2/π)(x + 0.044715x³)),
 * y' = (1 + t)/2 + x/2·(1 − t²)·√(2/π)(1 + 3·0.044715x²).
 */
const gelu: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const one = b.constF([1]);
  const x2 = b.mul(x, x);
  let d: string;
  if (attrString(node, 'approximate', 'none') === 'tanh') {
    const k = 0.044715;
    const t = b.op('Tanh', [b.scale(b.add(x, b.scale(b.mul(x2, x), k)), SQRT_2_OVER_PI)]);
    const left = b.scale(b.add(one, t), 0.5);
    const du = b.scale(b.add(one, b.scale(x2, 3 * k)), SQRT_2_OVER_PI);
    d = b.add(left, b.mul(b.scale(x, 0.5), b.mul(b.sub(one, b.mul(t, t)), du)));
  } else {
    const cdf = b.scale(b.add(one, b.op('Erf', [b.scale(x, Math.SQRT1_2)])), 0.5);
    const pdf = b.scale(b.op('Exp', [b.scale(x2, -0.5)]), 1 / Math.sqrt(2 * Math.PI));
    d = b.add(cdf, b.mul(x, pdf));
  }
  return [b.mul(gy0(c), d)];
};

/** HardSwish y = x·clip(x/6 + 1/2, 0, 1): y' = 0 below −3, 1 above 3, x/3 + 1/2 between (PyTorch's boundaries). */
const hardSwish: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const g = gy0(c);
  const mid = b.mul(g, b.add(b.scale(x, 1 / 3), b.constF([0.5])));
  const upper = b.op('Where', [b.op('Greater', [x, b.constF([3])]), g, mid], {}, 'where');
  return [b.op('Where', [b.op('Less', [x, b.constF([-3])]), b.constF([0]), upper], {}, 'where')];
};

/** Mish y = x·tanh(softplus(x)): y' = t + x·σ(x)·(1 − t²) with t = tanh(softplus(x)). */
const mish: Rule = (c) => {
  const { b, node } = c;
  const x = node.inputs[0];
  const t = b.op('Tanh', [b.op('Softplus', [x])]);
  const d = b.add(t, b.mul(b.mul(x, b.op('Sigmoid', [x])), b.sub(b.constF([1]), b.mul(t, t))));
  return [b.mul(gy0(c), d)];
};

/** PRelu y = x (x ≥ 0), slope·x (x < 0): δx = δy·(x < 0 ? slope : 1), δslope = δy·x where x < 0. */
const prelu: Rule = (c) => {
  const { b, node } = c;
  const [x, slope] = node.inputs;
  const g = gy0(c);
  const negative = b.op('Less', [x, b.constF([0])]);
  const zero = b.constF([0]);
  return [
    c.needs[0] ? b.op('Where', [negative, b.mul(g, slope), g], {}, 'where') : null,
    c.needs[1] ? b.op('Where', [negative, b.mul(g, x), zero], {}, 'where') : null,
  ];
};

export const activationRules: RuleTable = {
  Erf: { backward: erf },
  Gelu: { backward: gelu },
  HardSwish: { backward: hardSwish },
  Mish: { backward: mish },
  PRelu: { backward: prelu, broadcasts: true },
};
