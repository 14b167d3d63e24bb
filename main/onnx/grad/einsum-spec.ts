// Einsum equations: parsed once for shape inference and the backward rule (grad/rules-einsum.ts).
import { StudioError } from '../../api/contract.js';
import { attrString, type Dim, type Node } from '../ir.js';

export interface EinsumSpec {
  /** Subscripts of each input, one letter per axis (an ellipsis spelled out with spare letters). */
  inputs: string[];
  output: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Parses an Einsum equation for inputs of the given ranks (ellipses expanded, implicit output made explicit). */
export function parseEinsum(n: Node, ranks: number[]): EinsumSpec {
  const eq = attrString(n, 'equation', '').replace(/\s+/g, '');
  const bad = (why: string) => new StudioError('bad_model', `node "${n.name}" (Einsum): equation "${eq}": ${why}`);
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw bad(`${terms.length} operands named, ${ranks.length} given`);
  const spare = [...LETTERS].filter((l) => !eq.includes(l));
  let ell = 0;
  terms.forEach((t, i) => {
    if (t.includes('...')) ell = Math.max(ell, ranks[i] - (t.length - 3));
  });
  const ellLetters = spare.slice(0, ell).join('');
  const expand = (t: string, rank: number) => (t.includes('...') ? t.replace('...', ellLetters.slice(ell - (rank - (t.length - 3)))) : t);
  const inputs = terms.map((t, i) => expand(t, ranks[i]));
  inputs.forEach((t, i) => {
    if (t.length !== ranks[i]) throw bad(`operand ${i} has rank ${ranks[i]}, subscripts "${terms[i]}"`);
  });
  let output: string;
  if (rhs !== undefined) output = rhs.replace('...', ellLetters);
  else {
    const all = inputs.join('');
    const once = [...new Set(all)].filter((l) => !ellLetters.includes(l) && all.indexOf(l) === all.lastIndexOf(l)).sort();
    output = ellLetters + once.join('');
  }
  return { inputs, output };
}

/** Size of each subscript letter, from the first operand whose axis is not a broadcast 1. */
export function letterDims(spec: EinsumSpec, shapes: Dim[][]): Map<string, Dim> {
  const dims = new Map<string, Dim>();
  spec.inputs.forEach((t, i) =>
    [...t].forEach((l, k) => {
      const d = shapes[i][k];
      if (!dims.has(l) || dims.get(l) === 1) dims.set(l, d);
    }),
  );
  return dims;
}
