// Einsum backward: the δ of operand i is itself an einsum of δy with the other operands, written to operand
// i's subscripts; a subscript only operand i has (summed away in the forward) comes back by broadcasting.
import { gy0, unbroadcast, unsupported, type Rule, type RuleTable } from './context.js';
import { letterDims, parseEinsum } from './einsum-spec.js';

const einsum: Rule = (c) => {
  const { b, node } = c;
  const shapes = node.inputs.map((x) => c.shape(x));
  const spec = parseEinsum(
    node,
    shapes.map((s) => s.length),
  );
  const dims = letterDims(spec, shapes);
  const g = gy0(c);
  return node.inputs.map((x, i) => {
    if (!c.needs[i]) return null;
    const term = spec.inputs[i];
    if (new Set(term).size !== term.length) throw unsupported(node, `repeated subscript in "${term}" (a diagonal)`);
    const others = spec.inputs.filter((_, j) => j !== i);
    const seen = new Set([...spec.output, ...others.join('')]);
    const keep = [...term].filter((l) => seen.has(l)).join('');
    let d = b.op(
      'Einsum',
      [g, ...node.inputs.filter((_, j) => j !== i)],
      { equation: { type: 'string', value: `${[spec.output, ...others].join(',')}->${keep}` } },
      'einsumT',
    );
    const missing = [...term].map((l, k) => (seen.has(l) ? -1 : k)).filter((k) => k >= 0);
    if (missing.length) d = b.op('Expand', [b.op('Unsqueeze', [d, b.constI64(missing)]), b.shape(x)], {}, 'expand');
    return unbroadcast(
      b,
      d,
      [...term].map((l) => dims.get(l) ?? 1),
      shapes[i],
    );
  });
};

export const einsumRules: RuleTable = { Einsum: { backward: einsum } };
