// Plain-words descriptions of model metadata for the panels.
import type { ModelMeta, Preprocessing } from '../../../../main/api/contract';

export function resizeText(p: Preprocessing, size: [number, number]): string {
  const [w, h] = size;
  if (p.resize === 'fill') return `Resize whole image to ${w}×${h}`;
  if (p.resize === 'shorter-then-crop') return `Shorter side to ${p.resizeTo ?? '?'}, centre crop ${w}×${h}`;
  return `Resize to ${p.resizeTo ?? '?'}, centre crop ${w}×${h}`;
}

function round(n: number): string {
  return Number(n.toPrecision(4)).toString();
}

export function normText(p: Preprocessing): string {
  const scale = Math.abs(p.scale - 1 / 255) < 1e-6 ? '/255' : p.scale === 1 ? '' : `×${round(p.scale)}`;
  const same = (v: number[]) => v.every((x) => x === v[0]);
  const mean = same(p.mean) ? round(p.mean[0]) : `(${p.mean.map(round).join(', ')})`;
  const std = same(p.std) ? round(p.std[0]) : `(${p.std.map(round).join(', ')})`;
  return `(pixel${scale} − ${mean}) / ${std}`;
}

export function sourceText(m: ModelMeta): string {
  return { catalog: 'ONNX Model Zoo', imported: 'Imported', builtin: 'Bundled' }[m.source];
}

export function statusText(m: ModelMeta): string {
  return { available: 'Ready', missing: 'Not downloaded', downloading: 'Downloading', broken: 'Broken' }[m.status];
}
