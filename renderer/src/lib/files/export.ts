// Export classification results as the CLI prints them (JSON) or as a wide CSV, and save via a download.
import type { ClassifyResult } from '../../../../main/api/contract';
import { timestampForFile } from '../util/format';
import { download } from './download';

/** The `vision-studio classify --json` entry shape; scripts rely on it. */
export type CliEntry =
  | { file: string; model: string; top: { index: number; label: string; probability: number }[]; ms: number }
  | { file: string; model: string; error: string; ms: number };

export function toCliEntries(results: ClassifyResult[]): CliEntry[] {
  return results.map((r) =>
    r.error !== undefined || !r.top
      ? { file: r.file, model: r.model, error: r.error ?? 'no result', ms: r.ms }
      : { file: r.file, model: r.model, top: r.top.map(({ index, label, probability }) => ({ index, label, probability })), ms: r.ms },
  );
}

export function toJson(results: ClassifyResult[]): string {
  return JSON.stringify(toCliEntries(results), null, 2) + '\n';
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per image: file, model, ms, error, then label/probability/index for each rank. */
export function toCsv(results: ClassifyResult[]): string {
  const k = Math.max(1, ...results.map((r) => r.top?.length ?? 0));
  const header = ['file', 'model', 'ms', 'error'];
  for (let i = 1; i <= k; i++) header.push(`label_${i}`, `probability_${i}`, `index_${i}`);
  const rows = [header.join(',')];
  for (const r of results) {
    const cells: (string | number | undefined)[] = [r.file, r.model, Math.round(r.ms * 100) / 100, r.error];
    for (let i = 0; i < k; i++) {
      const t = r.top?.[i];
      cells.push(t?.label, t ? Number(t.probability.toFixed(6)) : undefined, t?.index);
    }
    rows.push(cells.map(csvCell).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

export function exportResults(results: ClassifyResult[], format: 'csv' | 'json'): string {
  const name = `vision-studio-results-${timestampForFile()}.${format}`;
  if (format === 'csv') download(toCsv(results), name, 'text/csv');
  else download(toJson(results), name, 'application/json');
  return name;
}
