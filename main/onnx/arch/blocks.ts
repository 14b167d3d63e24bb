// Groups a graph's nodes into readable blocks for the architecture view: each block ends at a node with a
// readable layer name (conv1_1 gathers its Conv, BatchNormalization and Relu; layer3 gathers the residual
// stage), residual nets get a "stem" up to their first fork, and trailing unnamed nodes (the classifier head)
// start a block at every node that multiplies (Gemm, MatMul, Conv).
import type { Node } from '../ir.js';
import { MAC_RULES } from './costs.js';

export interface Block {
  name: string;
  nodes: Node[];
}

/** conv{b}_{i}, bn{b}_{i} and relu{b}_{i} are one block, named after the conv. */
const blockKey = (layer: string): string => layer.replace(/^(bn|relu)(\d+_\d+)$/, 'conv$2');

/**
 * `order`: nodes in topological order (Constant nodes left out); `layerOf`: the readable name of a node's output
 * or null; `stemEnd`: the last node of a residual net's stem (null for plain stacks).
 */
export function groupBlocks(order: Node[], layerOf: (n: Node) => string | null, stemEnd: Node | null): Block[] {
  const blocks: Block[] = [];
  let pending: Node[] = [];
  const taken = new Set<string>();
  const unique = (name: string): string => {
    let out = name;
    for (let i = 2; taken.has(out); i++) out = `${name}#${i}`;
    taken.add(out);
    return out;
  };
  const close = (key: string) => {
    const last = blocks[blocks.length - 1];
    if (last && last.name === key) last.nodes.push(...pending);
    else blocks.push({ name: unique(key), nodes: pending });
    pending = [];
  };
  let inStem = !!stemEnd;
  for (const n of order) {
    pending.push(n);
    if (inStem) {
      if (n === stemEnd) {
        close('stem');
        inStem = false;
      }
      continue;
    }
    const layer = layerOf(n);
    if (layer) close(blockKey(layer));
  }
  // The head after the last readable layer: a block per multiplying node, with the nodes that follow it.
  let head: Block | null = null;
  for (const n of pending) {
    if (!head || MAC_RULES[n.opType]) {
      head = { name: unique(n.outputs[0] || n.name), nodes: [] };
      blocks.push(head);
    }
    head.nodes.push(n);
  }
  return blocks;
}

/**
 * The stem of a residual or branching net ends at the producer of the first tensor that two or more
 * computing nodes read (the first skip connection's source). Null when no tensor forks.
 */
export function stemEnd(order: Node[], computed: (tensor: string) => boolean): Node | null {
  const readers = new Map<string, number>();
  for (const n of order) {
    if (n.opType === 'Shape') continue;
    for (const i of new Set(n.inputs)) if (i && computed(i)) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  for (const n of order) if (n.outputs.some((o) => (readers.get(o) ?? 0) >= 2)) return n;
  return null;
}
