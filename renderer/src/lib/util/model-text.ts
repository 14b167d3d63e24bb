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

/**
 * The name to show for a model. A bundled model's sidecar often names it by its file ("mobilenet_v2_1.0_224");
 * then the first words of its description ("MobileNetV2 (width 1.0, …) ImageNet classifier") name it, else the
 * file name with its separators as spaces. Names a person gave (catalog, import, edit) are kept as they are.
 */
export function displayName(m: Pick<ModelMeta, 'id' | 'name' | 'notes'>): string {
  const fileLike = /^[\w.-]+$/.test(m.name) && /[_]/.test(m.name) && !/\s/.test(m.name);
  if (!fileLike) return m.name;
  const lead = /^([A-Za-z][\w.+-]*(?: [A-Z][\w.+-]*)*)(?= \(|,| ImageNet| classifier)/.exec(m.notes ?? '')?.[1];
  if (lead && lead.length <= 32) return lead;
  return m.name.replace(/_/g, ' ');
}
