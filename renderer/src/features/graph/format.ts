// Numbers as the graph view shows them: counts with SI prefixes (3.50 M, 300.8 M), shapes as 1×32×112×112,
// bytes in binary units. Pure: unit-tested.

/** 3504872 → "3.50 M", 300774272 → "300.8 M", 1234 → "1.23 k", 0 → "0". */
export function si(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [scale, unit] = units.find(([s]) => a >= s)!;
  const v = n / scale;
  return `${v.toFixed(Math.abs(v) >= 100 ? 1 : 2)} ${unit}`;
}

/** Every digit, grouped: 3504872 → "3,504,872". */
export const exact = (n: number): string => Math.round(n).toLocaleString('en-US');

/** [1, 32, 112, 112] → "1×32×112×112"; symbolic dims stay as their names, unknown ones are "?". */
export function shapeText(shape: readonly (number | string | null)[] | null | undefined): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (d === null || d === '' ? '?' : String(d))).join('×');
}

/** 4.5 MiB style, one decimal from KiB up. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A receptive field or stride in input pixels; absent where it is not defined (before the input, after a flatten). */
export const px = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `${n} px`);
