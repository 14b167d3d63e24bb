// What the page sends the layout worker and what comes back: plain boxes and edges, no model facts.

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
  /** A compound box (an expanded layer) this box sits in. */
  parent?: string;
  /** Room kept at the top of a compound box for its title. */
  headerHeight?: number;
}

export interface LayoutEdgeIn {
  id: string;
  from: string;
  to: string;
  label?: { width: number; height: number };
}

export interface LayoutRequest {
  seq: number;
  boxes: LayoutBox[];
  edges: LayoutEdgeIn[];
}

export interface PlacedBox {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  id: string;
  /** Polyline in root coordinates. */
  points: [number, number][];
  /** Top-left of the label box, when the edge had one. */
  label?: [number, number];
}

export type LayoutResponse =
  | { seq: number; ok: true; boxes: PlacedBox[]; edges: PlacedEdge[]; width: number; height: number; ms: number }
  | { seq: number; ok: false; error: string };
