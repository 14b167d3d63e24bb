// The Graph tool's state: which model at which input size, the engine's description of it, which blocks are
// expanded, what is selected, and the layout the worker computed for what is shown. The model follows the
// studio's model chip; the input size is the model's own until the user types another.
import type { GraphDescription, GraphNode, WeightStats } from '../../../../main/api/contract';
import { connection } from '../../lib/state/connection.svelte';
import { models } from '../../lib/state/models.svelte';
import { errorMessage } from '../../lib/util/format';
import { foldTo, type Grouping } from './fold-blocks';
import { LayoutClient, type LayoutResult } from './layout-client';
import { buildViewGraph, layoutInput, roughMeasure, type Measure, type ViewGraph } from './view-graph';

export type GraphTab = 'graph' | 'table';
export type PanelTab = 'node' | 'arithmetic' | 'math';
/** A block (folded or not) or one ONNX node. */
export type Selection = { kind: 'block'; name: string } | { kind: 'node'; id: string } | null;

/** Canvas text widths for the layout (the worker has no fonts); falls back to a rough count before the DOM is up. */
function canvasMeasure(): Measure {
  const ctx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return roughMeasure;
  const fonts = {
    title: `600 12.5px ${getComputedStyle(document.body).fontFamily}`,
    sub: `11px ${getComputedStyle(document.body).fontFamily}`,
    label: `10.5px ui-monospace, 'SF Mono', 'Cascadia Mono', Menlo, Consolas, monospace`,
  };
  return (t, f) => {
    ctx.font = fonts[f];
    return ctx.measureText(t).width;
  };
}

class GraphState {
  tab = $state<GraphTab>('graph');
  panel = $state<PanelTab>('node');
  /** [H, W] asked for; null: the model's own size. */
  size = $state<[number, number] | null>(null);
  /** The engine's description as it came; `desc` is it folded to `grouping`. */
  raw = $state.raw<GraphDescription | null>(null);
  /** Residual nets show their residual blocks (layer3.1) by default, or their stages (layer3). */
  grouping = $state<Grouping>('blocks');
  desc = $derived(this.raw ? foldTo(this.raw, this.grouping) : null);
  loading = $state(false);
  error = $state('');
  expanded = $state.raw<ReadonlySet<string>>(new Set());
  selected = $state<Selection>(null);
  /** What is drawn: a view graph and its layout, always from the same request. */
  drawn = $state.raw<{ view: ViewGraph; layout: LayoutResult } | null>(null);
  /** A box the canvas should bring into view (set by search and the table; the canvas clears it). */
  focusBox = $state<string | null>(null);
  layoutBusy = $state(false);
  layoutError = $state('');
  /** Weight statistics by tensor name, for the model in `desc`. */
  weights = $state.raw<Record<string, WeightStats | { error: string }>>({});

  private client = new LayoutClient();
  private measure: Measure | null = null;
  private loadSeq = 0;

  modelId = $derived(models.selected?.id ?? null);
  nodesById = $derived(new Map((this.desc?.nodes ?? []).map((n) => [n.id, n])));

  /** The node the panels explain: the selected node, or a selected block's first conv or pool wider than 1×1. */
  focusNode = $derived.by((): GraphNode | null => {
    const s = this.selected;
    const d = this.desc;
    if (!s || !d) return null;
    if (s.kind === 'node') return this.nodesById.get(s.id) ?? null;
    const l = d.layers.find((x) => x.name === s.name);
    if (!l) return null;
    const nodes = l.nodeIds.map((id) => this.nodesById.get(id)!).filter(Boolean);
    // A block's most telling window: its first spatial one (a 3×3, not a 1×1 that only mixes channels).
    const windowed = nodes.filter((n) => n.conv);
    return (
      windowed.find((n) => n.conv!.kernel.some((k) => k > 1)) ??
      windowed[0] ??
      nodes.find((n) => n.op === l.op) ??
      nodes[nodes.length - 1] ??
      null
    );
  });

  /** Fetch the description for the current model and size (a newer call overtakes an older one). */
  async load(): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return;
    const seq = ++this.loadSeq;
    this.loading = true;
    this.error = '';
    try {
      const d = await connection.call('graph.describe', { modelId, size: this.size ?? undefined });
      if (seq !== this.loadSeq) return;
      const sameModel = this.raw?.model === d.model;
      this.raw = d;
      if (!sameModel) {
        this.expanded = new Set();
        this.selected = null;
        this.weights = {};
      }
      this.relayout();
    } catch (e) {
      if (seq === this.loadSeq) this.error = errorMessage(e);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  setSize(h: number, w: number): void {
    const native = this.desc && this.size === null ? [this.desc.input[2], this.desc.input[3]] : null;
    if (native && native[0] === h && native[1] === w) return;
    this.size = [h, w];
    void this.load();
  }

  toggle(block: string): void {
    const now = [...this.expanded];
    this.expanded = new Set(this.expanded.has(block) ? now.filter((b) => b !== block) : [...now, block]);
    this.relayout();
  }

  expandAll(on: boolean): void {
    this.expanded = on ? new Set(this.desc?.layers.filter((l) => l.nodeIds.length > 1).map((l) => l.name)) : new Set();
    this.relayout();
  }

  /** Fold to residual blocks or to stages; a selected node stays selected, a selected block may not exist there. */
  setGrouping(g: Grouping): void {
    if (g === this.grouping) return;
    this.grouping = g;
    if (this.selected?.kind === 'block') this.selected = null;
    this.relayout();
  }

  select(s: Selection): void {
    this.selected = s;
    const n = this.focusNode;
    for (const w of n?.weights ?? []) if (w.shape.length > 0 && w.learnable) void this.loadWeights(w.name);
  }

  /** Expand the block holding a node so it can be seen, then select it. */
  reveal(block: string, nodeId: string | null): void {
    const ids = this.desc?.layers.find((l) => l.name === block)?.nodeIds ?? [];
    if (!nodeId && ids.length === 1) nodeId = ids[0];
    if (nodeId && !this.expanded.has(block) && (this.desc?.layers.find((l) => l.name === block)?.nodeIds.length ?? 0) > 1)
      this.toggle(block);
    this.select(nodeId ? { kind: 'node', id: nodeId } : { kind: 'block', name: block });
    this.focusBox = nodeId ?? `b:${block}`;
  }

  /** The id of the box drawn for the selection (a folded block's box for a node inside it). */
  selectedBox(): string | null {
    const s = this.selected;
    if (!s) return null;
    if (s.kind === 'block') return `b:${s.name}`;
    return this.drawn?.view.shownAs.get(s.id) ?? null;
  }

  dispose(): void {
    this.client.dispose();
    this.client = new LayoutClient();
  }

  async loadWeights(tensor: string): Promise<void> {
    const modelId = this.modelId;
    if (!modelId || tensor in this.weights) return;
    try {
      const st = await connection.call('graph.weights', { modelId, tensor });
      this.weights = { ...this.weights, [tensor]: st };
    } catch (e) {
      this.weights = { ...this.weights, [tensor]: { error: errorMessage(e) } };
    }
  }

  private relayout(): void {
    const d = this.desc;
    if (!d) return;
    this.measure ??= canvasMeasure();
    const v = buildViewGraph(d, this.expanded);
    const { boxes, edges } = layoutInput(v, this.measure);
    this.layoutBusy = true;
    this.layoutError = '';
    this.client.layout(boxes, edges).then(
      (r) => {
        if (!r) return;
        this.drawn = { view: v, layout: r };
        this.layoutBusy = false;
      },
      (e: unknown) => {
        this.layoutBusy = false;
        this.layoutError = errorMessage(e);
      },
    );
  }
}

export const graph = new GraphState();
