// Which grouping the Graph tool shows: residual nets at their residual blocks (layer3.0, layer3.1, … from the
// engine's `children`) or at their stages (layer3). The finer view replaces each stage by its blocks and
// renames its nodes' `block`, so the canvas, search, table and panels work on either unchanged. Pure.
import type { GraphDescription } from '../../../../main/api/contract';

export type Grouping = 'blocks' | 'stages';

/** True when some stage splits into residual blocks (the choice between the two groupings means something). */
export const hasSubBlocks = (d: GraphDescription | null): boolean => !!d?.layers.some((l) => l.children?.length);

export function foldTo(d: GraphDescription, grouping: Grouping): GraphDescription {
  if (grouping === 'stages' || !hasSubBlocks(d)) return d;
  const blockOf = new Map<string, string>();
  const layers = d.layers.flatMap((l) => {
    if (!l.children?.length) return [l];
    for (const c of l.children) for (const id of c.nodeIds) blockOf.set(id, c.name);
    return l.children;
  });
  const nodes = d.nodes.map((n) => (blockOf.has(n.id) ? { ...n, block: blockOf.get(n.id)! } : n));
  return { ...d, layers, nodes };
}
