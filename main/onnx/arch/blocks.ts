// Groups a graph's nodes into readable blocks for the architecture view: each block ends at a node with a
// readable layer name (conv1_1 gathers its Conv, BatchNormalization and Relu; layer3 gathers the residual
// stage), residual nets get a "stem" up to their first fork, and trailing unnamed nodes (the classifier head)
// start a block at every node that multiplies (Gemm, MatMul, Conv).
import type { Node } from '../ir.js';
import { MAC_RULES } from './costs.js';

export interface Block {
  name: string;
  nodes: Node[];
  /** A residual stage's residual blocks (layer3.0, layer3.1, …), partitioning `nodes`; absent elsewhere. */
  children?: Block[];
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

/** Tensors read by two or more computing nodes (Shape readers aside): where skip connections and branches start. */
export function forkedTensors(order: Node[], computed: (tensor: string) => boolean): Set<string> {
  const readers = new Map<string, number>();
  for (const n of order) {
    if (n.opType === 'Shape') continue;
    for (const i of new Set(n.inputs)) if (i && computed(i)) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  return new Set([...readers].filter(([, c]) => c >= 2).map(([t]) => t));
}

/**
 * Splits each Add-joined residual stage (layer3, stage2) into its residual blocks, numbered from 0 like
 * torchvision's modules (layer3.0, layer3.1, …): a block ends at the node whose output forks into the next
 * block's branches (the skip connection's source, the Relu after ResNet's Add). Every node of a block is an
 * ancestor of that fork, so the pieces of a topological order are exactly the blocks. Concat-joined stages
 * (DenseNet) fork at every layer and are left whole.
 */
export function splitResidualStages(blocks: Block[], forks: Set<string>, isStage: (name: string) => boolean): void {
  for (const b of blocks) {
    if (!isStage(b.name) || !b.nodes.some((n) => n.opType === 'Add') || b.nodes.some((n) => n.opType === 'Concat')) continue;
    const pieces: Node[][] = [[]];
    b.nodes.forEach((n, i) => {
      pieces[pieces.length - 1].push(n);
      if (i < b.nodes.length - 1 && n.outputs.some((o) => forks.has(o))) pieces.push([]);
    });
    if (pieces.length >= 2) b.children = pieces.map((nodes, i) => ({ name: `${b.name}.${i}`, nodes }));
  }
}

/**
 * The stem of a residual or branching net ends at the producer of the first tensor that two or more
 * computing nodes read (the first skip connection's source). Null when no tensor forks.
 */
export function stemEnd(order: Node[], forks: Set<string>): Node | null {
  return order.find((n) => n.outputs.some((o) => forks.has(o))) ?? null;
}
