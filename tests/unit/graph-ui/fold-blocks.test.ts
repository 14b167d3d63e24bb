// The Graph tool's two groupings of a residual net, on torch's ResNet-50 export: by default one box per
// residual block (layer1.0 … layer4.2, 16 of them), or one per stage; the canvas, search and table see the
// same nodes either way.
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe';
import { foldTo, hasSubBlocks } from '../../../renderer/src/features/graph/fold-blocks';
import { buildViewGraph, searchBoxes } from '../../../renderer/src/features/graph/view-graph';
import { loadTorchFixture } from '../onnx/arch-fixtures';

describe('folding ResNet-50 to residual blocks or stages', () => {
  const raw = describeModel(loadTorchFixture('resnet50').model, { name: 'resnet50' });

  it('draws 16 residual blocks by default and 4 stages on request, each node in one box', () => {
    expect(hasSubBlocks(raw)).toBe(true);
    const fine = buildViewGraph(foldTo(raw, 'blocks'), new Set());
    const titles = fine.boxes.filter((b) => b.kind === 'block').map((b) => b.title);
    expect(titles.filter((t) => /^layer\d\.\d$/.test(t))).toHaveLength(16);
    expect(titles.slice(0, 3)).toEqual(['stem', 'layer1.0', 'layer1.1']);
    const coarse = buildViewGraph(foldTo(raw, 'stages'), new Set());
    expect(coarse.boxes.filter((b) => b.kind === 'block').map((b) => b.title)).toEqual(
      raw.layers.filter((l) => l.nodeIds.length > 1).map((l) => l.name),
    );
    expect(fine.shownAs.size).toBe(raw.nodes.length);
    // layer3.0's output (read by layer3.1's first conv and by its Add, the skip) is one edge between the boxes.
    const joins = fine.edges.filter((e) => e.from === 'b:layer3.0' && e.to === 'b:layer3.1');
    expect(joins.map((e) => e.label)).toEqual(['1×1024×14×14']);
  });

  it('names a node’s residual block, so finding it unfolds that block', () => {
    const d = foldTo(raw, 'blocks');
    const hit = searchBoxes(d, 'layer3.1')[0];
    expect(hit).toEqual({ label: 'layer3.1', block: 'layer3.1', nodeId: null });
    const conv = d.nodes.find((n) => n.name.includes('layer3.1/conv2'))!;
    expect(conv.block).toBe('layer3.1');
    expect(raw.nodes.find((n) => n.id === conv.id)!.block).toBe('layer3');
    // Blocks without children are untouched.
    expect(foldTo(describeModel(loadTorchFixture('vgg16').model, { name: 'vgg16' }), 'blocks').layers[0].name).toBe('conv1_1');
  });
});
