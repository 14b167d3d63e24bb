// Structural checks and topological order. Every failure is a StudioError('bad_model') naming the
// node or tensor at fault, so a hostile or broken file never reaches ONNX Runtime (which may abort).
import { StudioError } from '../api/contract.js';
import { MAX_DIM } from './proto.js';
import type { Graph, Model, Node } from './ir.js';
import { defaultOpset } from './ir.js';
import { SUPPORTED_OPS } from './grad/rules.js';

/** Ops the shape inference and the differentiator understand: the rule table's keys (grad/rules.ts). */
export { SUPPORTED_OPS };

const bad = (msg: string) => new StudioError('bad_model', msg);

/** Nodes in an order where every input is produced before use. Throws on cycles and dangling inputs. */
export function topoSort(g: Graph): Node[] {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o)) throw bad(`tensor "${o}" is produced by both "${g.nodes[producer.get(o)!].name}" and "${n.name}"`);
      producer.set(o, i);
    }
  });
  const available = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  const indeg = new Array<number>(g.nodes.length).fill(0);
  const users = new Map<number, number[]>();
  g.nodes.forEach((n, i) => {
    for (const inp of n.inputs) {
      if (!inp) continue;
      const p = producer.get(inp);
      if (p === undefined) {
        if (!available.has(inp)) {
          throw bad(`node "${n.name}" (${n.opType}) reads "${inp}", which no node, graph input or initializer provides`);
        }
        continue;
      }
      indeg[i]++;
      const list = users.get(p) ?? [];
      list.push(i);
      users.set(p, list);
    }
  });
  const ready: number[] = [];
  indeg.forEach((d, i) => d === 0 && ready.push(i));
  const order: Node[] = [];
  // Keep the file's order among ready nodes (stable output, readable graphs).
  while (ready.length) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(g.nodes[i]);
    for (const u of users.get(i) ?? []) if (--indeg[u] === 0) ready.push(u);
  }
  if (order.length !== g.nodes.length) {
    const stuck = g.nodes.filter((_, i) => indeg[i] > 0).map((n) => `"${n.name}"`);
    throw bad(`graph has a cycle through ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ' …' : ''}`);
  }
  for (const o of g.outputs) {
    if (!producer.has(o.name) && !available.has(o.name)) throw bad(`graph output "${o.name}" is never produced`);
  }
  return order;
}

export interface ValidateOptions {
  /** Also reject ops outside SUPPORTED_OPS (needed for differentiation, not for plain inference). */
  requireSupported?: boolean;
}

/** Validates and returns the nodes in topological order. */
export function validateModel(model: Model, opts: ValidateOptions = {}): Node[] {
  const g = model.graph;
  const opset = defaultOpset(model);
  if (opset < 7) throw bad(`opset ${opset} is too old (need 7 or newer)`);
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo.values()]) {
    for (const d of v.shape ?? []) {
      if (typeof d === 'number' && (d < 0 || d > MAX_DIM)) throw bad(`tensor "${v.name}" has an absurd dimension ${d}`);
    }
  }
  for (const t of g.initializers.values()) {
    if (t.dims.some((d) => d > MAX_DIM)) throw bad(`initializer "${t.name}" has an absurd dimension`);
  }
  if (opts.requireSupported) {
    for (const n of g.nodes) {
      if ((n.domain !== '' && n.domain !== 'ai.onnx') || !SUPPORTED_OPS.has(n.opType)) {
        throw bad(`node "${n.name}" uses op ${n.domain ? n.domain + '.' : ''}${n.opType}, which the gradient engine does not support`);
      }
    }
  }
  return topoSort(g);
}
