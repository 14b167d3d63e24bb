// The per-layer table's rows, order and CSV. Pure: unit-tested; the component only draws what this gives.
import type { GraphLayer } from '../../../../main/api/contract';
import { shapeText } from './format';

export interface TableRow {
  name: string;
  op: string;
  shape: readonly (number | string | null)[] | null;
  params: number;
  /** null where a shape the count needs is unknown. */
  macs: number | null;
  memoryBytes: number | null;
  rf: number | null;
  stride: number | null;
}

export type SortKey = 'index' | 'name' | 'op' | 'shape' | 'params' | 'macs' | 'memoryBytes' | 'rf' | 'stride';
export interface SortState {
  key: SortKey;
  dir: 1 | -1;
}

const elems = (s: TableRow['shape']) => (s ?? []).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);

/** Rows in the asked order; ties keep graph order, and unknown values (receptive field, MACs) sort last either way. */
export function sortRows<T extends TableRow>(rows: readonly T[], sort: SortState): T[] {
  const indexed = rows.map((r, i) => ({ r, i }));
  const val = (x: { r: T; i: number }): number | string | null => {
    switch (sort.key) {
      case 'index':
        return x.i;
      case 'name':
        return x.r.name.toLowerCase();
      case 'op':
        return x.r.op.toLowerCase();
      case 'shape':
        return elems(x.r.shape);
      default:
        return x.r[sort.key] ?? null;
    }
  };
  indexed.sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    if (va === null || vb === null) return va === vb ? a.i - b.i : va === null ? 1 : -1;
    const c = typeof va === 'string' ? va.localeCompare(vb as string) : va - (vb as number);
    return c !== 0 ? c * sort.dir : a.i - b.i;
  });
  return indexed.map((x) => x.r);
}

/** Clicking a column: first click sorts (numbers largest first, text A→Z), a second click reverses it. */
export function nextSort(cur: SortState, key: SortKey): SortState {
  if (cur.key === key) return { key, dir: cur.dir === 1 ? -1 : 1 };
  const numeric = key !== 'name' && key !== 'op' && key !== 'index';
  return { key, dir: numeric ? -1 : 1 };
}

export interface Totals {
  params: number;
  macs: number;
  memoryBytes: number;
}

export const totalsOf = (rows: readonly TableRow[]): Totals =>
  rows.reduce(
    (t, r) => ({ params: t.params + r.params, macs: t.macs + (r.macs ?? 0), memoryBytes: t.memoryBytes + (r.memoryBytes ?? 0) }),
    {
      params: 0,
      macs: 0,
      memoryBytes: 0,
    },
  );

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
const cell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const CSV_HEADER = ['layer', 'op', 'output_shape', 'params', 'macs', 'flops', 'activation_bytes', 'rf_px', 'stride_px'];

/** From the engine's blocks. */
export const rowOf = (l: GraphLayer): TableRow => ({
  name: l.name,
  op: l.op,
  shape: l.shape,
  params: l.params,
  macs: l.macs,
  memoryBytes: l.memoryBytes,
  rf: l.rf?.rf ?? null,
  stride: l.rf?.stride ?? null,
});

/** The table as CSV: one row per layer, exact integers (FLOPs = 2 × MACs, its own column), then a total row. */
export function toCsv(rows: readonly TableRow[]): string {
  const t = totalsOf(rows);
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows)
    lines.push(
      [r.name, r.op, shapeText(r.shape), r.params, r.macs, r.macs === null ? null : 2 * r.macs, r.memoryBytes, r.rf, r.stride]
        .map(cell)
        .join(','),
    );
  lines.push(['total', '', '', t.params, t.macs, 2 * t.macs, t.memoryBytes, '', ''].map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}
