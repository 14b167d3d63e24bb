// The graph the canvas draws, built from the engine's real description of MobileNetV2: blocks fold their
// nodes, unfolding one puts its nodes inside it, every edge between different boxes keeps its tensor's shape,
// and a node's window parameters give the output size the engine inferred.
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe';
import { modelIR } from '../../../main/techniques/shared/graph-index';
import { convOut } from '../../../renderer/src/features/graph/conv-math';
import { axesOf, mathLayerOf, tensorShapes } from '../../../renderer/src/features/graph/node-facts';
import { buildViewGraph, labelAt, layoutInput, roughMeasure, searchBoxes } from '../../../renderer/src/features/graph/view-graph';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../../helpers/shared-models';

const skip = !sharedModelsDir;

describe.skipIf(skip)(`view graph of MobileNetV2${skip ? ` (${sharedSkipReason})` : ''}`, () => {
  const d = describeModel(modelIR(sharedPath('mobilenet_v2_1.0_224.onnx')).model, { name: 'mobilenet', size: [160, 160] });

  it('folds every multi-node block into one box and keeps one labelled edge per tensor between boxes', () => {
    const v = buildViewGraph(d, new Set());
    const folded = d.layers.filter((l) => l.nodeIds.length > 1).length;
    expect(v.boxes.filter((b) => b.kind === 'block')).toHaveLength(folded);
    expect(v.boxes.filter((b) => b.kind === 'input')).toHaveLength(1);
    expect(v.boxes.filter((b) => b.kind === 'output').length).toBeGreaterThan(0);
    expect(v.shownAs.size).toBe(d.nodes.length);
    const ids = new Set(v.boxes.map((b) => b.id));
    for (const e of v.edges) {
      expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      expect(e.from).not.toBe(e.to);
    }
    expect(v.edges.find((e) => e.from === 'input')?.label).toBe('1×3×160×160');
    expect(v.edges.find((e) => e.from === 'b:stem')?.label).toBe('1×24×40×40');
  });

  it('unfolds a block into its nodes, inside the block’s frame', () => {
    const stem = d.layers.find((l) => l.name === 'stem')!;
    const v = buildViewGraph(d, new Set(['stem']));
    const inside = v.boxes.filter((b) => b.parent === 'b:stem');
    expect(inside.map((b) => b.nodeId)).toEqual(stem.nodeIds);
    expect(v.boxes.find((b) => b.id === 'b:stem')?.kind).toBe('group');
    expect(v.edges.some((e) => e.from === 'input' && e.to === stem.nodeIds[0])).toBe(true);
    const { boxes, edges } = layoutInput(v, roughMeasure);
    expect(boxes.find((b) => b.id === stem.nodeIds[0])?.parent).toBe('b:stem');
    expect(edges.every((e) => e.label && e.label.width > 0)).toBe(true);
  });

  it('finds layers and nodes by name', () => {
    const r = searchBoxes(d, 'conv1');
    expect(r[0]).toMatchObject({ block: 'stem', label: 'Conv1 (Conv)' });
    expect(searchBoxes(d, '  ')).toEqual([]);
  });

  it('reads a node’s window: the formula gives the engine’s output size for every windowed node', () => {
    let n = 0;
    for (const node of d.nodes) {
      const a = axesOf(node);
      if (!('axes' in a)) continue;
      n++;
      expect([convOut(a.axes[0]), convOut(a.axes[1])]).toEqual(node.conv!.outSize);
    }
    expect(n).toBeGreaterThan(40);
    const conv1 = d.nodes.find((x) => x.name === 'Conv1')!;
    const m = mathLayerOf(conv1, tensorShapes(d));
    expect(m).toMatchObject({ input: [1, 3, 160, 160], output: [1, 32, 80, 80], weight: [32, 3, 3, 3], k: 3, s: 2, p: 0 });
    const relu = d.nodes.find((x) => x.op === 'Clip')!;
    expect(mathLayerOf(relu, tensorShapes(d)).clipMax).toBe(6);
    expect('why' in axesOf(relu)).toBe(true);
  });
});

describe('edge labels', () => {
  it('sit at the middle of the longest vertical run', () => {
    expect(
      labelAt([
        [0, 0],
        [0, 10],
        [50, 10],
        [50, 90],
      ]),
    ).toEqual([50, 50]);
    expect(labelAt([[3, 4]])).toBeNull();
  });
});
