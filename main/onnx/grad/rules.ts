// The rule table: every op the gradient engine accepts, with its backward and its facts (see OpRule).
// One file per op family; SUPPORTED_OPS (validate.ts) is derived from this table.
import type { RuleTable } from './context.js';
import { activationRules } from './rules-activation.js';
import { einsumRules } from './rules-einsum.js';
import { elementwiseRules } from './rules-elementwise.js';
import { linearRules } from './rules-linear.js';
import { nonDiffRules } from './rules-nondiff.js';
import { normRules } from './rules-norm.js';
import { poolRules } from './rules-pool.js';
import { resizeRules } from './rules-resize.js';
import { shapeRules } from './rules-shape.js';

export const OP_RULES: Readonly<RuleTable> = {
  ...elementwiseRules,
  ...activationRules,
  ...linearRules,
  ...einsumRules,
  ...normRules,
  ...poolRules,
  ...resizeRules,
  ...shapeRules,
  ...nonDiffRules,
};

/** Ops the shape inference and the differentiator understand (default domain). */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set(Object.keys(OP_RULES));
