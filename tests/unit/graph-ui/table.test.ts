// The per-layer table: sorting (ties in graph order, unknown receptive fields last), totals and CSV,
// and the number formats the view shows.
import { describe, expect, it } from 'vitest';
import { bytes, exact, shapeText, si } from '../../../renderer/src/features/graph/format';
import { nextSort, sortRows, toCsv, totalsOf, type TableRow } from '../../../renderer/src/features/graph/table';

const row = (name: string, op: string, shape: number[], params: number, macs: number, rf: number | null): TableRow => ({
  name,
  op,
  shape,
  params,
  macs,
  memoryBytes: 4 * shape.reduce((a, b) => a * b, 1),
  rf,
  stride: rf === null ? null : 2,
});

const rows = [
  row('conv1', 'Conv', [1, 32, 112, 112], 864, 10_838_016, 3),
  row('conv2, "dw"', 'Conv', [1, 32, 112, 112], 288, 3_612_672, 7),
  row('pool', 'GlobalAveragePool', [1, 32, 1, 1], 0, 0, null),
  row('fc', 'Gemm', [1, 1000], 33_000, 32_000, null),
];

describe('sorting', () => {
  it('sorts numbers largest first, then reverses; ties keep graph order', () => {
    const s1 = nextSort({ key: 'index', dir: 1 }, 'params');
    expect(s1).toEqual({ key: 'params', dir: -1 });
    expect(sortRows(rows, s1).map((r) => r.name)).toEqual(['fc', 'conv1', 'conv2, "dw"', 'pool']);
    const s2 = nextSort(s1, 'params');
    expect(sortRows(rows, s2).map((r) => r.name)).toEqual(['pool', 'conv2, "dw"', 'conv1', 'fc']);
  });
  it('puts unknown receptive fields last in both directions', () => {
    expect(sortRows(rows, { key: 'rf', dir: -1 }).map((r) => r.name)).toEqual(['conv2, "dw"', 'conv1', 'pool', 'fc']);
    expect(sortRows(rows, { key: 'rf', dir: 1 }).map((r) => r.name)).toEqual(['conv1', 'conv2, "dw"', 'pool', 'fc']);
  });
  it('sorts text A→Z first and shapes by element count', () => {
    expect(nextSort({ key: 'params', dir: -1 }, 'name')).toEqual({ key: 'name', dir: 1 });
    expect(sortRows(rows, { key: 'shape', dir: 1 }).map((r) => r.name)).toEqual(['pool', 'fc', 'conv1', 'conv2, "dw"']);
  });
});

describe('csv', () => {
  it('has a header, one row per layer with FLOPs = 2 × MACs, quoted names and a total row', () => {
    const csv = toCsv(rows);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('layer,op,output_shape,params,macs,flops,activation_bytes,rf_px,stride_px');
    expect(lines[1]).toBe('conv1,Conv,1×32×112×112,864,10838016,21676032,1605632,3,2');
    expect(lines[2].startsWith('"conv2, ""dw""",Conv,')).toBe(true);
    expect(lines[3]).toBe('pool,GlobalAveragePool,1×32×1×1,0,0,0,128,,');
    const t = totalsOf(rows);
    expect(t.params).toBe(864 + 288 + 33_000);
    expect(lines[5]).toBe(`total,,,${t.params},${t.macs},${2 * t.macs},${t.memoryBytes},,`);
  });
});

describe('formats', () => {
  it('writes counts, bytes and shapes', () => {
    expect(si(3_504_872)).toBe('3.50 M');
    expect(si(300_774_272)).toBe('300.8 M');
    expect(si(999)).toBe('999');
    expect(si(4_100_000_000)).toBe('4.10 G');
    expect(exact(3_504_872)).toBe('3,504,872');
    expect(bytes(1_605_632)).toBe('1.5 MiB');
    expect(bytes(512)).toBe('512 B');
    expect(shapeText([1, 32, 112, 112])).toBe('1×32×112×112');
    expect(shapeText(['N', 3, null, 224])).toBe('N×3×?×224');
    expect(shapeText([])).toBe('scalar');
  });
});
