// What the canvas draws: the engine's nodes folded into their blocks (conv4_2, layer3, …) unless a block is
// expanded, the model input and outputs as their own boxes, and one edge per tensor between boxes that
// differ, labelled with its shape. Sizes come from a text-measuring function so the layout worker gets boxes
// that fit their words. Pure: unit-tested.
import type { GraphDescription, GraphLayer, GraphNode } from '../../../../main/api/contract';
import { shapeText } from './format';
import type { LayoutBox, LayoutEdgeIn } from './layout-types';

export type Measure = (text: string, font: 'title' | 'sub' | 'label') => number;

/** A rough measure for tests and for the first frame (system-ui 12.5 px, mono 10.5 px). */
export const roughMeasure: Measure = (t, f) => t.length * (f === 'title' ? 7 : f === 'sub' ? 6 : 6.4);

export type VKind = 'block' | 'node' | 'group' | 'input' | 'output';

export interface VBox {
  id: string;
  kind: VKind;
  title: string;
  sub: string;
  /** The block this box shows or belongs to. */
  block: string | null;
  /** ONNX node id for kind 'node'. */
  nodeId: string | null;
  parent?: string;
}

export interface VEdge {
  id: string;
  from: string;
  to: string;
  tensor: string;
  label: string;
}

export interface ViewGraph {
  boxes: VBox[];
  edges: VEdge[];
  /** ONNX node id → the id of the box that shows it (its own, or its folded block's). */
  shownAs: Map<string, string>;
}

export const blockBoxId = (name: string): string => `b:${name}`;
const OUT = (tensor: string) => `out:${tensor}`;

/** "Conv · BatchNormalization · Relu", distinct ops in order, at most four and "+n". */
export function opSummary(nodes: readonly GraphNode[]): string {
  const ops = [...new Set(nodes.map((n) => n.op))];
  const head = ops.slice(0, 4).join(' · ');
  return ops.length > 4 ? `${head} +${ops.length - 4}` : head;
}

/** Blocks of one node are drawn as that node: nothing to expand. */
const foldable = (l: GraphLayer) => l.nodeIds.length > 1;

export function buildViewGraph(d: GraphDescription, expanded: ReadonlySet<string>): ViewGraph {
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  const boxes: VBox[] = [{ id: 'input', kind: 'input', title: 'input', sub: shapeText(d.input), block: null, nodeId: null }];
  const shownAs = new Map<string, string>();
  for (const l of d.layers) {
    const nodes = l.nodeIds.map((id) => byId.get(id)).filter((n): n is GraphNode => !!n);
    if (foldable(l) && !expanded.has(l.name)) {
      const id = blockBoxId(l.name);
      boxes.push({ id, kind: 'block', title: l.name, sub: `${nodes.length} nodes · ${opSummary(nodes)}`, block: l.name, nodeId: null });
      for (const n of nodes) shownAs.set(n.id, id);
      continue;
    }
    const parent = foldable(l) ? blockBoxId(l.name) : undefined;
    if (parent) boxes.push({ id: parent, kind: 'group', title: l.name, sub: opSummary(nodes), block: l.name, nodeId: null });
    for (const n of nodes) {
      boxes.push({ id: n.id, kind: 'node', title: n.op, sub: n.name, block: l.name, nodeId: n.id, parent });
      shownAs.set(n.id, n.id);
    }
  }
  const edges: VEdge[] = [];
  const seen = new Set<string>();
  for (const e of d.edges) {
    const from = e.from === 'input' ? 'input' : shownAs.get(e.from);
    const to = e.to === 'output' ? OUT(e.tensor) : shownAs.get(e.to);
    if (!from || !to || from === to) continue;
    if (e.to === 'output' && !seen.has(to)) {
      seen.add(to);
      boxes.push({ id: to, kind: 'output', title: 'output', sub: e.tensor, block: null, nodeId: null });
    }
    const key = `${from}>${to}>${e.tensor}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, from, to, tensor: e.tensor, label: shapeText(e.shape) });
  }
  return { boxes, edges, shownAs };
}

export const BOX_H = 40;
export const LABEL_H = 14;
export const GROUP_HEADER = 34;

/** Boxes and edges for the layout worker, sized to their text. */
export function layoutInput(v: ViewGraph, measure: Measure): { boxes: LayoutBox[]; edges: LayoutEdgeIn[] } {
  const boxes: LayoutBox[] = v.boxes.map((b) => {
    const w = Math.max(measure(b.title, 'title'), Math.min(measure(b.sub, 'sub'), 260));
    return {
      id: b.id,
      // Folded blocks and groups keep room on the right for their ± badge.
      width: Math.ceil(Math.max(b.kind === 'node' ? 96 : 120, w + (b.kind === 'block' || b.kind === 'group' ? 48 : 24))),
      height: BOX_H,
      parent: b.parent,
      headerHeight: b.kind === 'group' ? GROUP_HEADER : undefined,
    };
  });
  const edges: LayoutEdgeIn[] = v.edges.map((e) => ({
    id: e.id,
    from: e.from,
    to: e.to,
    label: { width: Math.ceil(measure(e.label, 'label') + 8), height: LABEL_H },
  }));
  return { boxes, edges };
}

/** Boxes whose title, sub-line or block name contains the query (case-insensitive), in graph order. */
export function searchBoxes(d: GraphDescription, q: string): { label: string; block: string; nodeId: string | null }[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const out: { label: string; block: string; nodeId: string | null }[] = [];
  for (const l of d.layers) if (l.name.toLowerCase().includes(s)) out.push({ label: l.name, block: l.name, nodeId: null });
  for (const n of d.nodes)
    if (n.name.toLowerCase().includes(s) || n.op.toLowerCase() === s || (n.layer ?? '').toLowerCase().includes(s))
      out.push({ label: `${n.name} (${n.op})`, block: n.block, nodeId: n.id });
  return out.slice(0, 50);
}

/**
 * Where an edge's shape label goes: beside the middle of the edge's longest vertical run (the gap between
 * two rows of boxes, which ELK widened for the label). ELK's own label positions are relative to the edge's
 * container once edges cross into unfolded blocks, so they are not used.
 */
export function labelAt(points: readonly [number, number][]): [number, number] | null {
  let best: [number, number] | null = null;
  let bestLen = -1;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const len = Math.abs(y1 - y0) - Math.abs(x1 - x0) * 0.5;
    if (len > bestLen) {
      bestLen = len;
      best = [(x0 + x1) / 2, (y0 + y1) / 2];
    }
  }
  return best;
}
