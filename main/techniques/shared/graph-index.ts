// Read-only lookups over an ONNX IR graph that the techniques share: who produces a tensor, who reads it,
// which input of a node carries the data (as opposed to weights), and the cached IR of a model file.
import fs from 'node:fs';
import path from 'node:path';
import type { Graph, Model, Node } from '../../onnx/ir';
import { loadModel } from '../../onnx/proto';

export class GraphIndex {
  readonly producer = new Map<string, Node>();
  readonly consumers = new Map<string, Node[]>();

  constructor(readonly graph: Graph) {
    for (const n of graph.nodes) {
      for (const o of n.outputs) if (o) this.producer.set(o, n);
      for (const i of n.inputs) {
        if (!i) continue;
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    }
  }

  /**
   * Whether a tensor is a constant: an initializer, a Constant node, or an Identity/Cast of a constant
   * (PyTorch's exporter shares one zero bias between VGG-BN's layers through an Identity).
   */
  isConst(name: string): boolean {
    if (this.graph.initializers.has(name)) return true;
    let p = this.producer.get(name);
    for (let guard = 0; p && (p.opType === 'Identity' || p.opType === 'Cast') && guard < 16; guard++) {
      if (this.graph.initializers.has(p.inputs[0])) return true;
      p = this.producer.get(p.inputs[0]);
    }
    return !!p && p.opType === 'Constant';
  }

  /** The one input of `node` that is not a constant (the activation flowing through), or null. */
  dataInput(node: Node): string | null {
    const live = node.inputs.filter((i) => i && !this.isConst(i));
    if (node.opType === 'Reshape' || node.opType === 'Squeeze' || node.opType === 'Unsqueeze') return node.inputs[0] || null;
    return live.length === 1 ? live[0] : null;
  }

  /** Every tensor `name` is computed from (transitively), including itself. */
  ancestors(names: string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...names];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const p = this.producer.get(t);
      if (p) for (const i of p.inputs) if (i) stack.push(i);
    }
    return seen;
  }
}

const irCache = new Map<string, { key: string; model: Model; index: GraphIndex }>();

/** The IR of a model file, parsed once per file version (mtime + size). */
export function modelIR(file: string): { model: Model; index: GraphIndex } {
  const full = path.resolve(file);
  const st = fs.statSync(full);
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = irCache.get(full);
  if (hit && hit.key === key) return hit;
  const model = loadModel(full);
  const entry = { key, model, index: new GraphIndex(model.graph) };
  irCache.set(full, entry);
  if (irCache.size > 4) irCache.delete(irCache.keys().next().value as string);
  return entry;
}
