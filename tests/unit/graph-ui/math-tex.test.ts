// "The math" panels: every block is valid TeX for KaTeX (a typo would show a red error on screen) and carries
// the layer's own numbers.
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { convBlocks, gramBlock, mathFor, poolBlock, reluBlock } from '../../../renderer/src/features/graph/math-tex';

const render = (tex: string[]) => tex.map((t) => katex.renderToString(t, { throwOnError: true, displayMode: true }));
const all = (b: { tex: string[] }) => b.tex.join('\n');

describe('math blocks', () => {
  it('a strided conv: the forward index, δ sums over the output and the transposed conv', () => {
    const blocks = convBlocks({
      op: 'Conv',
      input: [1, 3, 224, 224],
      output: [1, 32, 112, 112],
      weight: [32, 3, 3, 3],
      k: 3,
      s: 2,
      p: 1,
      d: 1,
      group: 1,
    });
    expect(blocks.map((b) => b.title)).toEqual(['Forward', 'δ terms', 'Input gradient: the flipped-kernel convolution']);
    for (const b of blocks) expect(() => render(b.tex)).not.toThrow();
    expect(all(blocks[0])).toContain('X_{c,\\,2i+u-1,\\,2j+v-1}');
    expect(all(blocks[0])).toContain('\\sum_{c=0}^{2}');
    expect(all(blocks[1])).toContain('\\sum_{i=0}^{111}');
    expect(all(blocks[2])).toContain('\\frac{h+1-u}{2}');
    expect(all(blocks[2])).toContain('s{=}2');
  });

  it('a stride-1 conv: a full convolution with the flipped kernel, padding d(k−1)−p', () => {
    const [, , x] = convBlocks({ op: 'Conv', input: [1, 64, 56, 56], output: [1, 64, 56, 56], weight: [64, 64, 3, 3], k: 3, s: 1, p: 1 });
    expect(all(x)).toContain('\\operatorname{pad}_{1}');
    expect(all(x)).toContain('\\operatorname{rot180}');
    expect(() => render(x.tex)).not.toThrow();
  });

  it('a depthwise conv sums over no input channels', () => {
    const [f, , x] = convBlocks({
      op: 'Conv',
      input: [1, 32, 112, 112],
      output: [1, 32, 112, 112],
      weight: [32, 1, 3, 3],
      k: 3,
      s: 1,
      p: 1,
      group: 32,
    });
    expect(all(f)).not.toContain('\\sum_{c=');
    expect(f.note).toContain('depthwise');
    expect(() => render(f.tex)).not.toThrow();
    // Each input channel reaches one output channel: no sum over o in its gradient either.
    expect(all(x)).not.toContain('\\sum_{o}');
    expect(all(x)).toContain('\\operatorname{rot180}(W_{c,0})');
    expect(() => render(x.tex)).not.toThrow();
  });

  it('ReLU6, pooling and the Gram matrix carry the layer’s numbers', () => {
    const r = reluBlock({ op: 'Clip', input: [1, 32, 112, 112], output: [1, 32, 112, 112], clipMax: 6 });
    expect(all(r)).toContain('0 < x < 6');
    const mp = poolBlock({ op: 'MaxPool', input: [1, 64, 112, 112], output: [1, 64, 56, 56], k: 3 });
    expect(all(mp)).toContain('argmax');
    const gap = poolBlock({ op: 'GlobalAveragePool', input: [1, 1280, 7, 7], output: [1, 1280, 1, 1] });
    expect(all(gap)).toContain('\\frac{1}{49}');
    const g = gramBlock({ op: 'Conv', input: null, output: [1, 64, 56, 56] })!;
    expect(all(g)).toContain('\\mathbb{R}^{64\\times 3136}');
    expect(all(g)).toContain('{200704}');
    for (const b of [r, mp, gap, g]) expect(() => render(b.tex)).not.toThrow();
    expect(gramBlock({ op: 'Gemm', input: null, output: [1, 1000] })).toBeNull();
    expect(mathFor({ op: 'Relu', input: [1, 8, 4, 4], output: [1, 8, 4, 4] }).map((b) => b.title)).toEqual([
      'ReLU gradient',
      'Gram matrix (style)',
    ]);
  });
});
