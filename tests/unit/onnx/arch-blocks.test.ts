// The second level of the architecture view's grouping: a residual stage (layer3) splits into its residual
// blocks (layer3.0, layer3.1, …), checked on the ONNX graphs torch exported against torchvision's own module
// names: every block's conv parameters equal the sum over torch's layerX.Y.* convs.
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe.js';
import { loadTorchFixture } from './arch-fixtures.js';

const blocksOf = (name: string) => {
  const { fixture, model } = loadTorchFixture(name);
  const d = describeModel(model, { name, size: [fixture.size, fixture.size] });
  return { fixture, d, children: d.layers.flatMap((l) => l.children ?? []) };
};

describe('residual stages split into residual blocks', () => {
  it.each([
    ['resnet18', [2, 2, 2, 2]],
    ['resnet50', [3, 4, 6, 3]],
  ] as const)('%s: torchvision’s layerX.Y blocks, each with torch’s conv parameters', (name, depths) => {
    const { fixture, d, children } = blocksOf(name);
    const expected = depths.flatMap((n, s) => Array.from({ length: n }, (_, i) => `layer${s + 1}.${i}`));
    expect(children.map((c) => c.name)).toEqual(expected);
    const byId = new Map(d.nodes.map((n) => [n.id, n]));
    for (const stage of d.layers.filter((l) => l.children)) {
      // The children partition their stage, in order, and their sums are the stage's.
      expect(stage.children!.flatMap((c) => c.nodeIds)).toEqual(stage.nodeIds);
      expect(stage.children!.reduce((a, c) => a + (c.macs ?? NaN), 0)).toBe(stage.macs);
      expect(stage.children!.at(-1)!.shape).toEqual(stage.shape);
    }
    for (const c of children) {
      const nodes = c.nodeIds.map((id) => byId.get(id)!);
      // A block starts at its first conv and ends at the Relu after its Add (the tensor the next block forks from).
      expect(nodes[0].op).toBe('Conv');
      expect(nodes.at(-1)!.op).toBe('Relu');
      expect(nodes.at(-2)!.op).toBe('Add');
      const ours = nodes.filter((n) => n.op === 'Conv').reduce((a, n) => a + n.params, 0);
      const torch = fixture.torch.layers.filter((l) => l.module.startsWith(`${c.name}.`)).reduce((a, l) => a + l.params, 0);
      expect(ours).toBe(torch);
    }
    // The stage-level fields are unchanged: nodes still name their stage.
    expect(d.nodes.filter((n) => n.block === 'layer3').length).toBe(d.layers.find((l) => l.name === 'layer3')!.nodeIds.length);
  });

  it('leaves plain stacks and Concat-joined stages whole', () => {
    expect(blocksOf('vgg16').children).toEqual([]);
    expect(blocksOf('densenet121').children).toEqual([]);
  });
});
