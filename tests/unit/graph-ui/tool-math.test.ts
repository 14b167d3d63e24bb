// "The math" beside Explain, Create and Train: every formula renders in KaTeX with throwOnError, and carries
// the current model's numbers (ResNet-50's layer4 map from torch's export: 2048 channels of 7×7).
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../../main/onnx/arch/describe';
import { camMath, gramMath, mapDims, trainMath, type CamMathMethod } from '../../../renderer/src/features/graph/tool-math';
import type { MathBlock } from '../../../renderer/src/features/graph/math-tex';
import { loadTorchFixture } from '../onnx/arch-fixtures';

const render = (blocks: MathBlock[]) =>
  blocks.flatMap((b) => b.tex).map((t) => katex.renderToString(t, { displayMode: true, throwOnError: true, output: 'mathml' }));
const tex = (blocks: MathBlock[]) => blocks.flatMap((b) => b.tex).join('\n');

describe('the math beside the tools', () => {
  const d = describeModel(loadTorchFixture('resnet50').model, { name: 'resnet50' });
  const layer4 = mapDims(d.layers.find((l) => l.name === 'layer4')!.shape)!;

  it('CAM weights name K channels and the H×W map of the layer in use, for every method', () => {
    expect(layer4).toEqual([2048, 7, 7]);
    const grad = camMath('gradcam', layer4, 'layer4');
    expect(tex(grad)).toContain('\\frac{1}{Z} \\sum_{i=1}^{7}\\sum_{j=1}^{7}');
    expect(tex(grad)).toContain('Z = 7\\cdot 7 = 49');
    expect(tex(grad)).toContain('\\mathrm{ReLU}\\Big(\\sum_{k=1}^{2048} \\alpha_k^c\\, A^k\\Big)');
    expect(grad[0].note).toContain('layer4 (2048 channels, 7×7)');
    for (const m of ['gradcam', 'gradcam++', 'hirescam', 'cam', 'scorecam'] as CamMathMethod[])
      expect(render(camMath(m, layer4, 'layer4')).length).toBeGreaterThan(0);
    expect(mapDims([1, 'N', 7, 7])).toBeNull();
  });

  it('Gram matrices of the chosen layers with their sizes', () => {
    const shapes = (n: string) => mapDims(d.layers.find((l) => l.name === n)!.shape);
    const blocks = gramMath(
      ['layer1', 'layer2', 'layer3'].map((name) => ({ name, dims: shapes(name) })),
      100,
    );
    render(blocks);
    expect(blocks.map((b) => b.title)).toEqual(['Gram matrix', 'Style term', 'layer1', 'layer2', 'layer3']);
    expect(tex(blocks)).toContain('C H W = 256\\cdot 56\\cdot 56 = 802816');
    expect(tex(blocks)).toContain('L_{\\text{style}} = 100 \\sum_{l=1}^{3}');
  });

  it('cross-entropy over the model’s classes, with the penalties as set', () => {
    const k = d.nodes.find((n) => n.op === 'Gemm')!.shape![1] as number;
    const plain = trainMath(k, { labelSmoothing: 0, l1: 0, weightDecay: 0, decoupled: false });
    render(plain);
    expect(tex(plain)).toContain('\\sum_{j=1}^{1000} e^{z_{nj}}');
    const full = trainMath(10, { labelSmoothing: 0.1, l1: 0.001, weightDecay: 0.0005, decoupled: false });
    render(full);
    expect(tex(full)).toContain('q_{nk} = 0.9\\,[k = y_n] + \\frac{0.1}{10}');
    expect(tex(full)).toContain('L = \\mathrm{CE} + 0.001\\sum_w |w| + \\frac{0.0005}{2}\\sum_w w^2');
    // AdamW decays the weights itself: no L2 term in the loss, and the note says why.
    const adamw = trainMath(10, { labelSmoothing: 0, l1: 0, weightDecay: 0.01, decoupled: true });
    expect(tex(adamw)).not.toContain('0.01');
    expect(adamw[1].note).toMatch(/decoupled/);
    render(trainMath(null, { labelSmoothing: 0, l1: 0, weightDecay: 0, decoupled: false }));
  });
});
