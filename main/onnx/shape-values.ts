// Values of small int64 "shape" tensors (Shape → Gather → Unsqueeze → Concat → Reshape, as PyTorch
// exports x.view(x.size(0), -1)), with symbols where a dim is dynamic, so Reshape targets computed at run
// time still get a shape. Only 0-/1-D tensors are tracked; anything else is left unknown.
import { attrInt, type Dim, type Node } from './ir.js';

export type ValueOf = (name: string) => Dim[] | undefined;

export function shapeValue(n: Node, inShape: (name: string) => Dim[] | undefined, value: ValueOf): Dim[] | undefined {
  const v = (i: number) => (n.inputs[i] ? value(n.inputs[i]) : undefined);
  switch (n.opType) {
    case 'Shape': {
      const s = inShape(n.inputs[0]);
      if (!s) return undefined;
      const r = s.length;
      const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
      return s.slice(clamp(attrInt(n, 'start', 0)), clamp(attrInt(n, 'end', r)));
    }
    case 'Gather': {
      const data = v(0);
      const idx = v(1);
      if (!data || !idx || attrInt(n, 'axis', 0) !== 0 || idx.some((i) => typeof i !== 'number')) return undefined;
      return (idx as number[]).map((i) => data[i < 0 ? i + data.length : i]);
    }
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Cast':
    case 'Identity':
      return v(0);
    case 'Concat':
      if (attrInt(n, 'axis', 0) !== 0 && attrInt(n, 'axis', 0) !== -1) return undefined;
      {
        const parts = n.inputs.map((_, i) => v(i));
        return parts.every((p) => p) ? (parts.flat() as Dim[]) : undefined;
      }
    case 'Slice': {
      const data = v(0);
      const [st, en] = [v(1), v(2)];
      if (!data || !st || !en || n.inputs[4]) return undefined;
      const s = Number(st[0]);
      const e = Number(en[0]);
      const len = data.length;
      const a = Math.min(Math.max(s < 0 ? s + len : s, 0), len);
      const b = Math.min(Math.max(e < 0 ? e + len : e, 0), len);
      return data.slice(a, b);
    }
    case 'Mul':
    case 'Div':
    case 'Add':
    case 'Sub': {
      const a = v(0);
      const b = v(1);
      if (!a || !b) return undefined;
      const len = Math.max(a.length, b.length);
      const out: Dim[] = [];
      for (let i = 0; i < len; i++) {
        const x = a[a.length === 1 ? 0 : i];
        const y = b[b.length === 1 ? 0 : i];
        if (typeof x !== 'number' || typeof y !== 'number') out.push(`${n.opType}(${x},${y})`);
        else out.push(n.opType === 'Mul' ? x * y : n.opType === 'Div' ? Math.trunc(x / y) : n.opType === 'Add' ? x + y : x - y);
      }
      return out;
    }
    default:
      return undefined;
  }
}
