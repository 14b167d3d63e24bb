// ReLU → MaxPool becomes MaxPool → ReLU where nothing else reads the ReLU's output. Max-pooling
// commutes with any non-decreasing function, so every output is unchanged, and so is every gradient:
// the ReLU's mask now applies to the pooled δ (a quarter of the elements for 2×2 pools) before
// MaxUnpool routes it, instead of to the full-size δ after (VGG: conv1_2, conv2_2, conv3_4, ...).
// Where the window's max is ≤ 0 both orders give δ = 0; otherwise both route δ to the same argmax.
import type { Graph } from './ir.js';

/** Rewrites the graph in place; returns how many pairs were swapped. */
export function poolBeforeRelu(g: Graph): number {
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let swapped = 0;
  for (const pool of g.nodes) {
    if (pool.opType !== 'MaxPool' || pool.domain !== '' || (pool.outputs[1] ?? '') !== '') continue;
    const relu = producer.get(pool.inputs[0]);
    if (!relu || relu.opType !== 'Relu' || relu.domain !== '') continue;
    const y = relu.outputs[0];
    if (consumers.get(y) !== 1 || outputs.has(y)) continue;
    // x → Relu → y → MaxPool → z   becomes   x → MaxPool → y → Relu → z (y keeps its name, now pooled).
    const z = pool.outputs[0];
    pool.inputs[0] = relu.inputs[0];
    pool.outputs[0] = y;
    relu.inputs[0] = y;
    relu.outputs[0] = z;
    // Keep the node list topological: the ReLU now runs right after the pool.
    g.nodes.splice(g.nodes.indexOf(relu), 1);
    g.nodes.splice(g.nodes.indexOf(pool) + 1, 0, relu);
    swapped++;
  }
  return swapped;
}
