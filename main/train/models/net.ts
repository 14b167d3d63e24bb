// Builds classifier graphs layer by layer with torch-like parameter names (conv1.weight, bn1.running_var,
// fc.bias), tracking each tensor's per-sample shape so linear layers know their inputs. Weights come from
// a seeded initialiser; constants that are not parameters (dropout ratios, fixed shortcut kernels) are
// Constant nodes, so every float initializer is a parameter or a BN running statistic.
import { StudioError } from '../../api/contract.js';
import { GraphBuilder } from '../../onnx/builder.js';
import { aInt, aInts, aTensor, DT, floatTensor, type Graph, type Model } from '../../onnx/ir.js';
import { seededRng, type Rng } from '../../optim/rng.js';
import { INIT_SCHEMES, type InitName, type InitScheme } from './init.js';

export interface NetOptions {
  init?: InitName;
  seed?: number;
}

export class NetBuilder {
  readonly graph: Graph;
  private readonly b: GraphBuilder;
  private readonly rng: Rng;
  private readonly scheme: InitScheme;
  /** Per-sample shape of every tensor made here. */
  private readonly dims = new Map<string, number[]>();

  constructor(
    readonly input: string,
    perSample: number[],
    opts: NetOptions = {},
  ) {
    this.graph = { name: 'net', nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
    this.graph.inputs.push({ name: input, elemType: DT.FLOAT, shape: ['N', ...perSample] });
    this.b = new GraphBuilder(this.graph, DT.FLOAT, new Map(), 'net');
    this.rng = seededRng(opts.seed ?? 0);
    this.scheme = INIT_SCHEMES[opts.init ?? 'he'];
    this.dims.set(input, perSample);
  }

  shape(t: string): number[] {
    return this.dims.get(t)!;
  }

  private param(name: string, dims: number[], values: Float32Array): string {
    this.graph.initializers.set(name, floatTensor(name, dims, values));
    return name;
  }

  private node(opType: string, inputs: string[], attrs: Graph['nodes'][number]['attrs'], name: string, perSample: number[]): string {
    if (perSample.some((d) => !(d >= 1))) throw new StudioError('bad_request', `${name}: the input is too small for this architecture`);
    this.graph.nodes.push({ name, opType, domain: '', inputs, outputs: [name], attrs });
    this.dims.set(name, perSample);
    return name;
  }

  private anon(op: string): string {
    return this.b.fresh(op);
  }

  private constant(values: Float32Array, dims: number[]): string {
    const out = this.anon('const');
    this.graph.nodes.push({
      name: out,
      opType: 'Constant',
      domain: '',
      inputs: [],
      outputs: [out],
      attrs: { value: aTensor(floatTensor(out, dims, values)) },
    });
    return out;
  }

  conv(name: string, x: string, out: number, k: number, o: { stride?: number; pad?: number; bias?: boolean } = {}): string {
    const [c, h, w] = this.shape(x);
    const s = o.stride ?? 1;
    const p = o.pad ?? 0;
    const wd = [out, c, k, k];
    const inputs = [x, this.param(`${name}.weight`, wd, this.scheme.weight(wd, this.rng))];
    if (o.bias !== false) inputs.push(this.param(`${name}.bias`, [out], this.scheme.bias(wd, this.rng)));
    const size = (d: number) => Math.floor((d + 2 * p - k) / s) + 1;
    const attrs = { kernel_shape: aInts([k, k]), strides: aInts([s, s]), pads: aInts([p, p, p, p]) };
    return this.node('Conv', inputs, attrs, name, [out, size(h), size(w)]);
  }

  /** A conv with fixed weights (no parameters): option-A shortcuts. */
  fixedConv(name: string, x: string, weights: Float32Array, out: number, stride: number): string {
    const [c, h, w] = this.shape(x);
    const size = (d: number) => Math.floor((d - 1) / stride) + 1;
    const kernel = this.constant(weights, [out, c, 1, 1]);
    return this.node('Conv', [x, kernel], { kernel_shape: aInts([1, 1]), strides: aInts([stride, stride]) }, name, [out, size(h), size(w)]);
  }

  bn(name: string, x: string): string {
    const c = this.shape(x)[0];
    const fill = (v: number) => new Float32Array(c).fill(v);
    const inputs = [
      x,
      ...(['weight', 'bias', 'running_mean', 'running_var'] as const).map((p, i) => this.param(`${name}.${p}`, [c], fill([1, 0, 0, 1][i]))),
    ];
    return this.node(
      'BatchNormalization',
      inputs,
      { epsilon: { type: 'float', value: 1e-5 }, momentum: { type: 'float', value: 0.9 } },
      name,
      this.shape(x),
    );
  }

  relu(x: string): string {
    return this.node('Relu', [x], {}, this.anon('relu'), this.shape(x));
  }

  maxPool(x: string, k = 2, s = k): string {
    const [c, h, w] = this.shape(x);
    const size = (d: number) => Math.floor((d - k) / s) + 1;
    return this.node('MaxPool', [x], { kernel_shape: aInts([k, k]), strides: aInts([s, s]) }, this.anon('pool'), [c, size(h), size(w)]);
  }

  globalAvgPool(x: string): string {
    return this.node('GlobalAveragePool', [x], {}, this.anon('gap'), [this.shape(x)[0], 1, 1]);
  }

  flatten(x: string): string {
    const n = this.shape(x).reduce((a, b) => a * b, 1);
    return this.node('Flatten', [x], { axis: aInt(1) }, this.anon('flat'), [n]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b], {}, this.anon('add'), this.shape(a));
  }

  /** Inference-mode Dropout (identity until a training graph gives it a mask); p = 0 adds nothing. */
  dropout(name: string, x: string, p: number): string {
    if (!p) return x;
    return this.node('Dropout', [x, this.constant(Float32Array.of(p), [])], {}, name, this.shape(x));
  }

  /** y = x·Wᵀ + b with W [out, in] (torch's Linear layout). */
  linear(name: string, x: string, out: number): string {
    const wd = [out, this.shape(x)[0]];
    const w = this.param(`${name}.weight`, wd, this.scheme.weight(wd, this.rng));
    const bias = this.param(`${name}.bias`, [out], this.scheme.bias(wd, this.rng));
    return this.node('Gemm', [x, w, bias], { transB: aInt(1) }, name, [out]);
  }

  /** The model, with `x` as its output `logits` [N, K]. */
  finish(x: string, name = 'classifier'): Model {
    this.graph.name = name;
    const out = 'logits';
    // The last layer's output is renamed rather than copied (nothing else reads it).
    const last = this.graph.nodes.find((n) => n.outputs[0] === x)!;
    last.outputs[0] = out;
    this.dims.set(out, this.shape(x));
    this.graph.outputs = [{ name: out, elemType: DT.FLOAT, shape: ['N', ...this.shape(x)] }];
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'vision-studio-arch',
      graph: this.graph,
      baseDir: null,
    };
  }
}
