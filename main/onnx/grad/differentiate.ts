// Reverse-mode differentiation of an ONNX graph into more ONNX nodes. Walks the forward nodes in
// reverse topological order from a scalar loss; only nodes on a path from a differentiated tensor to
// the loss get backward nodes, and δ from branches that meet is summed.
import { StudioError } from '../../api/contract.js';
import { GraphBuilder } from '../builder.js';
import { tensorNumbers, type Model } from '../ir.js';
import { constantTensors, type ShapeMap } from '../shapes.js';
import { topoSort } from '../validate.js';
import { unbroadcast, unsupported, type OpRule, type Rule, type RuleCtx } from './context.js';
import { OP_RULES } from './rules.js';

/** The backward function of every differentiable op (tests wrap or replace them). */
export const RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  Object.entries(OP_RULES).flatMap(([op, r]) => (r.backward ? [[op, r.backward]] : [])),
);

export interface DifferentiateOptions {
  /** Name of the scalar loss tensor. */
  loss: string;
  /** Tensors to differentiate against: graph inputs and/or initializers (Conv/Gemm weights, biases). */
  wrt: string[];
  /** Replace or add rules (tests use this to check that a broken rule is caught). */
  rules?: Record<string, Rule>;
  /** Float type of the graph (FLOAT; DOUBLE in precision tests). */
  elemType?: number;
}

/**
 * Appends the backward pass to model.graph (in place) and returns, for each wrt tensor, the name of
 * its gradient tensor. `shapes` must describe the forward graph (inferShapes) and is extended.
 */
export function differentiate(model: Model, shapes: ShapeMap, opts: DifferentiateOptions): Map<string, string> {
  const g = model.graph;
  const order = topoSort(g);
  const table: Record<string, OpRule> = { ...OP_RULES };
  for (const [op, backward] of Object.entries(opts.rules ?? {})) table[op] = { ...table[op], backward };
  const nonDiff = (op: string) => !table[op]?.backward && op in table;
  const elemType = opts.elemType ?? shapes.get(opts.loss)?.elemType ?? 1;
  const b = new GraphBuilder(g, elemType, shapes, 'grad');
  const consts = constantTensors(g);

  // Forward: tensors that depend on a differentiated tensor.
  const live = new Set(opts.wrt);
  for (const n of order) {
    if (nonDiff(n.opType)) continue;
    const skip = table[n.opType]?.nonDiffOutputs ?? [];
    if (n.inputs.some((i) => i && live.has(i))) n.outputs.forEach((o, i) => o && !skip.includes(i) && live.add(o));
  }
  if (!live.has(opts.loss)) throw new StudioError('bad_request', `loss "${opts.loss}" does not depend on ${opts.wrt.join(', ')}`);
  // Backward: tensors the loss depends on.
  const reaches = new Set([opts.loss]);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.outputs.some((o) => reaches.has(o))) n.inputs.forEach((x) => x && reaches.add(x));
  }

  const pending = new Map<string, string[]>();
  const push = (t: string, d: string) => {
    const list = pending.get(t);
    if (list) list.push(d);
    else pending.set(t, [d]);
  };
  const total = (t: string): string | null => {
    const list = pending.get(t);
    if (!list || list.length === 0) return null;
    if (list.length === 1) return list[0];
    const s = b.op('Sum', list, {}, 'acc');
    pending.set(t, [s]);
    return s;
  };

  // δloss = 1, shaped like the loss (and typed like it).
  b.elemType = shapes.get(opts.loss)?.elemType ?? elemType;
  push(opts.loss, b.onesOfShape(b.shape(opts.loss)));

  const producers = new Map(order.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (nonDiff(node.opType)) continue;
    if (!node.outputs.some((o) => live.has(o) && reaches.has(o))) continue;
    const gy = node.outputs.map((o) => (o && live.has(o) ? total(o) : null));
    if (gy.every((d) => d === null)) continue;
    const needs = node.inputs.map((x) => !!x && live.has(x) && reaches.has(x));
    if (!needs.some(Boolean)) continue;
    const entry = table[node.opType];
    const rule = entry?.backward;
    if (!rule || (node.domain !== '' && node.domain !== 'ai.onnx')) throw unsupported(node, 'no backward rule for this op');
    // Constants a rule emits take the node's float type (a double-precision loss may follow float layers).
    const ft = shapes.get(node.outputs[0])?.elemType;
    b.elemType = ft === 1 || ft === 11 || ft === 10 ? ft : elemType;
    const ctx: RuleCtx = {
      b,
      node,
      gy,
      needs,
      shape: (name) => {
        const s = shapes.get(name);
        if (!s) throw unsupported(node, `shape of "${name}" unknown`);
        return s.shape;
      },
      elemType: (name) => shapes.get(name)?.elemType ?? elemType,
      cval: (name) => {
        const t = consts.get(name);
        return t ? tensorNumbers(t) : undefined;
      },
      producer: (name) => producers.get(name),
    };
    const res = rule(ctx);
    const ys = entry.broadcasts ? ctx.shape(node.outputs[0]) : [];
    node.inputs.forEach((x, k) => {
      const d = needs[k] ? res[k] : null;
      if (d) push(x, entry.broadcasts ? unbroadcast(b, d, ys, ctx.shape(x)) : d);
    });
  }

  const out = new Map<string, string>();
  b.elemType = elemType;
  for (const w of opts.wrt) out.set(w, total(w) ?? b.zerosLike(w));
  return out;
}
