// Appends nodes to a graph with unique names; the loss builder and the backward rules speak through it.
// Constants become initializers (ORT folds anything computed only from them once, at session creation).
import { aInt, DT, floatTensor, int64Tensor, type AttrValue, type Graph, type Node } from './ir.js';
import type { ShapeMap, TypedShape } from './shapes.js';

export class GraphBuilder {
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(
    readonly graph: Graph,
    /** Float type of constants emitted now (FLOAT or DOUBLE); the differentiator sets it per node. */
    public elemType: number,
    readonly shapes: ShapeMap,
    readonly prefix = 'vs',
  ) {
    for (const n of graph.nodes) {
      this.taken.add(n.name);
      for (const o of n.outputs) this.taken.add(o);
    }
    for (const k of graph.initializers.keys()) this.taken.add(k);
    for (const v of graph.inputs) this.taken.add(v.name);
  }

  /** A fresh tensor/node name. */
  fresh(hint: string): string {
    let name: string;
    do name = `${this.prefix}/${hint}_${this.counter++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }

  /** Emits one node and returns its (first) output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType.toLowerCase(), nOut = 1): string {
    return this.opN(opType, inputs, attrs, hint, nOut)[0];
  }

  opN(opType: string, inputs: string[], attrs: Record<string, AttrValue>, hint: string, nOut: number): string[] {
    const outputs = Array.from({ length: nOut }, () => this.fresh(hint));
    const node: Node = { name: this.fresh(`${hint}_node`), opType, domain: '', inputs, outputs, attrs };
    this.graph.nodes.push(node);
    return outputs;
  }

  /** Records a shape for a tensor the builder made (rules query shapes of their own outputs sometimes). */
  setShape(name: string, s: TypedShape): void {
    this.shapes.set(name, s);
  }

  shapeOf(name: string): TypedShape | undefined {
    return this.shapes.get(name);
  }

  /** A float constant in the graph's float type; scalars have dims []. */
  constF(values: number[], dims: number[] = values.length === 1 ? [] : [values.length]): string {
    const key = `f${this.elemType}:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('c');
    this.graph.initializers.set(name, floatTensor(name, dims, values, this.elemType));
    this.constCache.set(key, name);
    return name;
  }

  /** A float constant from a typed array (kernels, targets). */
  constArray(values: ArrayLike<number>, dims: number[]): string {
    const name = this.fresh('k');
    this.graph.initializers.set(name, floatTensor(name, dims, values, this.elemType));
    return name;
  }

  constI64(values: number[], dims: number[] = [values.length]): string {
    const key = `i:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh('i');
    this.graph.initializers.set(name, int64Tensor(name, dims, values));
    this.constCache.set(key, name);
    return name;
  }

  // ---------- small composite helpers ----------

  shape(x: string, start?: number, end?: number): string {
    const attrs: Record<string, AttrValue> = {};
    if (start !== undefined) attrs.start = aInt(start);
    if (end !== undefined) attrs.end = aInt(end);
    return this.op('Shape', [x], attrs, 'shape');
  }

  /** Zeros shaped like x (runtime shape). */
  zerosLike(x: string): string {
    return this.op(
      'ConstantOfShape',
      [this.shape(x)],
      { value: { type: 'tensor', value: floatTensor('v', [1], [0], this.elemType) } },
      'zeros',
    );
  }

  onesOfShape(shapeTensor: string): string {
    return this.op(
      'ConstantOfShape',
      [shapeTensor],
      { value: { type: 'tensor', value: floatTensor('v', [1], [1], this.elemType) } },
      'ones',
    );
  }

  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  scale(a: string, k: number): string {
    return k === 1 ? a : this.mul(a, this.constF([k]));
  }
  reshape(x: string, shapeTensor: string): string {
    return this.op('Reshape', [x, shapeTensor]);
  }
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceSum', [x, this.constI64(axes)], { keepdims: aInt(keepdims ? 1 : 0) }, 'rsum');
  }
  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm: { type: 'ints', value: perm } });
  }
  /** Float-typed number of elements of x (runtime). */
  sizeF(x: string): string {
    return this.op('Cast', [this.op('Size', [x])], { to: aInt(this.elemType) }, 'size');
  }
  castF(x: string): string {
    return this.op('Cast', [x], { to: aInt(this.elemType) }, 'cast');
  }
  /** Concat 1-D int64 tensors into a shape vector. */
  concatI(parts: string[]): string {
    return parts.length === 1 ? parts[0] : this.op('Concat', parts, { axis: aInt(0) }, 'dims');
  }
}

export const INT64_MAX = 2 ** 62; // large enough for Slice ends; exact in double and in int64
export { DT };
