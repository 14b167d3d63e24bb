import { describe, expect, it } from 'vitest';
import { softmax, topK } from '../../../main/classify/postprocess';

describe('softmax', () => {
  it('sums to one and is stable for huge logits', () => {
    const p = softmax([1000, 1001, 1002]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
  });
});

describe('topK', () => {
  it('returns the k largest in descending order with their indices', () => {
    const v = [0.1, 0.5, 0.05, 0.9, 0.3, 0.7];
    expect(topK(v, 3)).toEqual([
      { index: 3, value: 0.9 },
      { index: 5, value: 0.7 },
      { index: 1, value: 0.5 },
    ]);
  });
  it('agrees with a full sort on random data and skips NaN', () => {
    const v = Array.from({ length: 1001 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    v[17] = NaN;
    const expected = v
      .map((value, index) => ({ index, value }))
      .filter((x) => !Number.isNaN(x.value))
      .sort((a, b) => b.value - a.value)
      .slice(0, 5);
    expect(topK(v, 5)).toEqual(expected);
  });
});
