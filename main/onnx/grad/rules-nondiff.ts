// Ops whose outputs carry no gradient: shapes and sizes, constants, comparisons and logic, index ranges.
// Transformer exports compute masks, paddings and expand targets with them; they are in the rule table
// (so the gradient engine accepts them) without a backward, and the driver never walks into them.
import type { RuleTable } from './context.js';

const OPS = [
  'Constant',
  'ConstantOfShape',
  'Shape',
  'Size',
  'Range',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
];

export const nonDiffRules: RuleTable = Object.fromEntries(OPS.map((op) => [op, {}]));
