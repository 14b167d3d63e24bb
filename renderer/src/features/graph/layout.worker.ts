// ELK's layered layout, top to bottom, off the UI thread: a ResNet-152 expanded to its ~500 ONNX nodes takes
// seconds in ELK, and the page keeps panning meanwhile. Boxes and edges in, positions in root coordinates out.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutRequest, LayoutResponse, PlacedBox, PlacedEdge } from './layout-types';

const elk = new ELK();

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.spacing.nodeNode': '26',
  'elk.spacing.edgeLabel': '3',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

async function layout(req: LayoutRequest): Promise<LayoutResponse> {
  const t0 = performance.now();
  const nodes = new Map<string, ElkNode>();
  for (const b of req.boxes) nodes.set(b.id, { id: b.id, width: b.width, height: b.height });
  const root: ElkNode = { id: 'root', layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  for (const b of req.boxes) {
    const n = nodes.get(b.id)!;
    const parent = b.parent ? nodes.get(b.parent) : undefined;
    if (parent) {
      parent.children ??= [];
      parent.children.push(n);
    } else root.children!.push(n);
  }
  for (const b of req.boxes) {
    const n = nodes.get(b.id)!;
    // A compound's size comes from its children; its own width/height only apply to leaves.
    if (n.children?.length) {
      const header = b.headerHeight ?? 30;
      n.layoutOptions = {
        'elk.padding': `[top=${header},left=12,bottom=12,right=12]`,
        'elk.nodeSize.minimum': `(${b.width},${header + 20})`,
      };
      delete n.width;
      delete n.height;
    }
  }
  root.edges = req.edges.map((e): ElkExtendedEdge => ({
    id: e.id,
    sources: [e.from],
    targets: [e.to],
    labels: e.label ? [{ id: `${e.id}:l`, width: e.label.width, height: e.label.height }] : undefined,
  }));
  const out = await elk.layout(root);
  const boxes: PlacedBox[] = [];
  const walk = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      boxes.push({ id: c.id, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      walk(c);
    }
  };
  walk(out);
  const edges: PlacedEdge[] = [];
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      const points: [number, number][] = [];
      for (const s of e.sections ?? []) {
        points.push([s.startPoint.x, s.startPoint.y]);
        for (const b of s.bendPoints ?? []) points.push([b.x, b.y]);
        points.push([s.endPoint.x, s.endPoint.y]);
      }
      const l = e.labels?.[0];
      edges.push({ id: e.id, points, label: l && l.x !== undefined ? [l.x, l.y ?? 0] : undefined });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  return { seq: req.seq, ok: true, boxes, edges, width: out.width ?? 0, height: out.height ?? 0, ms: performance.now() - t0 };
}

// Set after the import: elk.bundled.js claims self.onmessage for itself when it loads inside a worker.
self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  layout(e.data).then(
    (r) => self.postMessage(r),
    (err: unknown) => self.postMessage({ seq: e.data.seq, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
};
