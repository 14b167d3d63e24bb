import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../../main/train/data/scan';
import { stratifiedSplit, trainValSplit } from '../../../../main/train/data/split';

function dataset(counts: number[]): Sample[] {
  return counts.flatMap((n, label) =>
    Array.from({ length: n }, (_, i) => ({ file: `/d/c${label}/${String(i).padStart(4, '0')}.png`, label })),
  );
}
const perClass = (samples: Sample[], classes: number) =>
  Array.from({ length: classes }, (_, c) => samples.filter((s) => s.label === c).length);
const files = (samples: Sample[]) => samples.map((s) => s.file);

describe('stratifiedSplit', () => {
  const data = dataset([100, 10, 2, 1, 7]);

  it('holds out ~20% of each class, at least one once a class has two, never a whole class', () => {
    const { train, val } = stratifiedSplit(data, { seed: 1 });
    expect(perClass(val, 5)).toEqual([20, 2, 1, 0, 1]);
    expect(perClass(train, 5)).toEqual([80, 8, 1, 1, 6]);
    expect(new Set([...files(train), ...files(val)]).size).toBe(data.length);
  });

  it('follows the requested fraction', () => {
    expect(perClass(stratifiedSplit(data, { valFraction: 0.5 }).val, 5)).toEqual([50, 5, 1, 0, 4]);
    expect(stratifiedSplit(data, { valFraction: 0 }).val).toEqual([]);
    expect(() => stratifiedSplit(data, { valFraction: 1 })).toThrow(RangeError);
  });

  it('is the same for a seed, different for another, and independent of input order and of other classes', () => {
    const a = stratifiedSplit(data, { seed: 7 });
    expect(stratifiedSplit(data, { seed: 7 })).toEqual(a);
    expect(files(stratifiedSplit(data, { seed: 8 }).val)).not.toEqual(files(a.val));
    const shuffled = [...data].reverse();
    expect(new Set(files(stratifiedSplit(shuffled, { seed: 7 }).val))).toEqual(new Set(files(a.val)));
    const withoutClass4 = stratifiedSplit(
      data.filter((s) => s.label !== 4),
      { seed: 7 },
    );
    expect(files(withoutClass4.val)).toEqual(files(a.val.filter((s) => s.label !== 4)));
  });

  it('keeps the input order within each half', () => {
    const { train, val } = stratifiedSplit(data, { seed: 3 });
    const order = new Map(data.map((s, i) => [s.file, i]));
    for (const half of [train, val]) {
      const idx = half.map((s) => order.get(s.file)!);
      expect(idx).toEqual([...idx].sort((x, y) => x - y));
    }
  });

  it('uses the dataset val folder when there is one', () => {
    const scan = { root: '/d', layout: 'train-val' as const, classes: ['a'], train: dataset([3]), val: dataset([1]), skipped: [] };
    expect(trainValSplit(scan)).toEqual({ train: scan.train, val: scan.val });
    expect(trainValSplit({ ...scan, val: null }, { seed: 1 }).val).toHaveLength(1);
  });
});
