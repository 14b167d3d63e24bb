// Runs gradient graphs on ONNX Runtime. One session per (model, objective spec, size class): with a
// dynamic spatial size the class is 'dyn' and new image sizes reuse the session; models that pin their
// size get one graph per H×W. Sessions are cached, the least recently asked for released beyond MAX_CACHED_SESSIONS
// (each holds its own copy of the weights: a new photo or size for inversion, texture or style makes new ones).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../api/contract.js';
import { buildGradGraph, type GradGraph, type GradGraphSpec } from './grad-graph.js';
import { cloneModel, defaultOpset, DT, realInputs, type Model } from './ir.js';
import { encodeModel, loadModel } from './proto.js';
import { GraphBuilder } from './builder.js';
import { gram } from './loss.js';
import { inferShapes } from './shapes.js';
import { makeSpatialDynamic, truncateAt, upgradeOpset } from './surgery.js';
import { lowerWinograd } from './winograd.js';
import { winogradFeeds, type WinogradCache } from './winograd-weights.js';

export interface TensorOut {
  data: Float32Array;
  dims: number[];
}

export interface GradResult {
  loss: number;
  /** d(loss)/d(input), same layout as the input (NCHW). */
  grad: Float32Array;
  dims: number[];
  taps: Record<string, TensorOut>;
  paramGrads: Record<string, TensorOut>;
  ms: number;
}

export interface RunnerOptions {
  /** Intra-op threads (default: os.availableParallelism()). */
  threads?: number;
  /**
   * 'fast' (default): ORT level 'all' (blocked NCHWc convolutions) and Winograd F(6×6)/F(4×4, 3×3) for wide 3×3
   * convs; faster than PyTorch on this CPU (bench/gradient), float32 error ~1e-5 relative per layer.
   * 'exact': level 'extended', direct convolutions only: rounds like PyTorch's float32 (~1e-7 per layer).
   * (Sessions run on ORT's CPU provider; a GPU provider would want 'exact', since cuDNN picks its own
   * Winograd kernels.)
   * Both agree with PyTorch to cosine ≥ 0.9999; where MaxPool windows hold near-ties, any two float32
   * implementations (PyTorch's float32 against its own float64 included) can route a few δ differently.
   */
  precision?: 'fast' | 'exact';
  /** Overrides the ORT level that `precision` implies. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

type ModelSource = string | Model;

export class GradSession {
  constructor(
    readonly graph: GradGraph,
    private readonly session: ort.InferenceSession,
    /** Inputs that stay the same for every run (Winograd-transformed weights). */
    private readonly fixed: Record<string, ort.Tensor> = {},
  ) {}

  /** One forward + loss + backward pass. `targets` feed content/style objectives ("target:T", "gram:T"). */
  async run(input: Float32Array, dims: number[], targets: Record<string, TensorOut> = {}): Promise<GradResult> {
    const t0 = performance.now();
    const feeds: Record<string, ort.Tensor> = { ...this.fixed, [this.graph.input]: new ort.Tensor('float32', input, dims) };
    for (const t of this.graph.targets) {
      const v = targets[t];
      if (!v) throw new StudioError('bad_request', `objective needs target "${t}"`);
      feeds[t] = new ort.Tensor('float32', v.data, v.dims);
    }
    let out: ort.InferenceSession.OnnxValueMapType;
    if (this.released) throw new StudioError('bad_request', 'gradient run failed: the session was released to free memory');
    this.busy++;
    try {
      out = await this.session.run(feeds);
    } catch (e) {
      throw new StudioError('bad_request', `gradient run failed: ${(e as Error).message}`);
    } finally {
      if (--this.busy === 0 && this.retired) void this.session.release().catch(() => {});
    }
    const get = (name: string): TensorOut => ({ data: out[name].data as Float32Array, dims: [...out[name].dims] });
    const grad = get(this.graph.grad);
    const taps: Record<string, TensorOut> = {};
    for (const t of this.graph.taps) taps[t] = get(t);
    const paramGrads: Record<string, TensorOut> = {};
    for (const [p, o] of this.graph.paramGrads) paramGrads[p] = get(o);
    return { loss: Number(out[this.graph.loss].data[0]), grad: grad.data, dims: grad.dims, taps, paramGrads, ms: performance.now() - t0 };
  }

  release(): Promise<void> {
    this.retired = true;
    return this.session.release();
  }

  /** Runs in progress, and whether the cache dropped this session (released once the last run ends). */
  private busy = 0;
  private retired = false;

  /** Whether the session was released (a retired one once its last run finished). */
  get released(): boolean {
    return this.retired && this.busy === 0;
  }

  /** Evicted from the cache: released now, or after the runs in progress. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.busy === 0) void this.session.release().catch(() => {});
  }
}

/** Gradient sessions kept per runner; older ones are released (a job uses a handful: style's scales, dream's octaves). */
export const MAX_CACHED_SESSIONS = 12;

const ruleIds = new WeakMap<object, number>();
let nextRulesId = 1;
/** A stable id per rules table object, so a session built with other rules is never reused for them. */
function rulesId(rules: object): number {
  let id = ruleIds.get(rules);
  if (id === undefined) ruleIds.set(rules, (id = nextRulesId++));
  return id;
}

export class GradRunner {
  private readonly cache = new Map<string, Promise<GradSession>>();
  private readonly models = new Map<string, Model>();
  /** Winograd-transformed weights, shared by every session of a model (gradient and target forward). */
  private transformed: WinogradCache = new WeakMap();
  private readonly opts: Required<Omit<RunnerOptions, 'precision'>> & { winograd: boolean };

  constructor(opts: RunnerOptions = {}) {
    const exact = opts.precision === 'exact';
    this.opts = {
      threads: opts.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
      graphOptimizationLevel: opts.graphOptimizationLevel ?? (exact ? 'extended' : 'all'),
      winograd: !exact,
    };
  }

  sessionOptions(): ort.InferenceSession.SessionOptions {
    return {
      intraOpNumThreads: this.opts.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: this.opts.graphOptimizationLevel,
      executionMode: 'sequential',
    };
  }

  private model(src: ModelSource): { model: Model; key: string } {
    if (typeof src !== 'string') return { model: src, key: `mem:${src.graph.name}:${src.graph.nodes.length}:${objectId(src)}` };
    const full = path.resolve(src);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new StudioError('model_missing', `model not found: ${full}`);
    }
    const key = `${full}:${stat.mtimeMs}:${stat.size}`;
    let m = this.models.get(key);
    if (!m) {
      m = loadModel(full);
      this.models.set(key, m);
    }
    return { model: m, key };
  }

  /**
   * The session for a model and objective spec at an input size. Built once per size class and
   * cached; concurrent callers share the same build.
   */
  async session(src: ModelSource, spec: GradGraphSpec, dims: number[]): Promise<GradSession> {
    const { model, key } = this.model(src);
    spec = { ...spec, winograd: spec.winograd ?? this.opts.winograd };
    // Test-supplied rules (mutations) are functions, which JSON drops: key them by identity instead.
    const specKey = JSON.stringify({ ...spec, rules: spec.rules ? rulesId(spec.rules) : undefined });
    const dynKey = `${key}|${specKey}|dyn`;
    const dyn = this.touch(dynKey);
    if (dyn) return dyn;
    const staticKey = `${key}|${specKey}|${dims.slice(2).join('x')}`;
    const hit = this.touch(staticKey);
    if (hit) return hit;
    const build = (async () => {
      let graph = buildGradGraph(model, spec);
      if (!graph.dynamic) graph = buildGradGraph(withInputSize(model, spec.input, dims), { ...spec, dynamic: false });
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(encodeModel(graph.model), this.sessionOptions());
      } catch (e) {
        const pinned = graph.dynamic ? '' : ` (the model fixes its input size; ${dims.slice(2).join('×')} may not fit it)`;
        throw new StudioError('bad_model', `ONNX Runtime refused the gradient graph${pinned}: ${(e as Error).message}`);
      }
      const fixed = await winogradFeeds(graph.winograd, this.opts.threads, this.transformed);
      // ORT holds its own copy of the weights now: keep the graph's structure, not its tensors (the
      // flipped copies the backward convs read are per session: VGG19 to relu5_1, ~80 MB).
      const slim = { ...graph.model, graph: { ...graph.model.graph, initializers: new Map() } };
      return new GradSession({ ...graph, model: slim, winograd: [] }, session, fixed);
    })();
    const probeKey = staticKey;
    this.cache.set(probeKey, build);
    this.evictBeyond(MAX_CACHED_SESSIONS);
    try {
      const s = await build;
      if (s.graph.dynamic) {
        this.cache.delete(probeKey);
        this.cache.set(dynKey, build);
      }
      return s;
    } catch (e) {
      this.cache.delete(probeKey);
      throw e;
    }
  }

  /** A cached session, moved to the most recently used end (Map order is the LRU order). */
  private touch(key: string): Promise<GradSession> | undefined {
    const p = this.cache.get(key);
    if (p) {
      this.cache.delete(key);
      this.cache.set(key, p);
    }
    return p;
  }

  /** Drops the least recently used sessions beyond `max`, releasing each once its runs end. */
  private evictBeyond(max: number): void {
    for (const [key, p] of this.cache) {
      if (this.cache.size <= max) break;
      this.cache.delete(key);
      p.then((s) => s.retire()).catch(() => {});
    }
  }

  /** How many gradient sessions are cached (tests). */
  get cachedSessions(): number {
    return this.cache.size;
  }

  /** Convenience: build (or reuse) the session and run it once. */
  async gradient(
    src: ModelSource,
    spec: GradGraphSpec,
    input: Float32Array,
    dims: number[],
    targets?: Record<string, TensorOut>,
  ): Promise<GradResult> {
    return (await this.session(src, spec, dims)).run(input, dims, targets);
  }

  /** Forward only, returning the named intermediate tensors (e.g. to make content/style targets). */
  async taps(src: ModelSource, names: string[], input: Float32Array, dims: number[]): Promise<Record<string, TensorOut>> {
    return (await this.forward(src, { taps: names }, [{ data: input, dims }]))[0];
  }

  /**
   * Forward only, for several images through one session built for the call and released after it:
   * `taps` as they are and, for `grams`, their Gram matrices G = F·Fᵀ/(C·H·W) as "gram:<tensor>"
   * [1, C, C] (computed by ORT: in JavaScript they cost more than the forward pass).
   */
  async forward(
    src: ModelSource,
    spec: { taps?: string[]; grams?: string[] },
    inputs: { data: Float32Array; dims: number[] }[],
  ): Promise<Record<string, TensorOut>[]> {
    const { model } = this.model(src);
    const taps = spec.taps ?? [];
    const grams = spec.grams ?? [];
    // One session for every input size when the cut model allows it, else one per input.
    let cut = truncateAt(model, [...new Set([...taps, ...grams])]);
    // The Gram ops use opset-15+ forms (Shape with start/end).
    if (grams.length && defaultOpset(cut) < 17) cut = upgradeOpset(cut, 17);
    const shared = makeSpatialDynamic(cut).dynamic || inputs.every((x) => x.dims.join() === inputs[0].dims.join());
    const build = async (dims: number[]) => {
      const m = shared ? cloneModel(cut) : withInputSize(cut, undefined, dims);
      m.graph.valueInfo.clear();
      const b = new GraphBuilder(m.graph, DT.FLOAT, inferShapes(m), 'gram');
      for (const t of grams) {
        const g = gram(b, t);
        m.graph.nodes.push({ name: `gram_out_${t}`, opType: 'Identity', domain: '', inputs: [g], outputs: [`gram:${t}`], attrs: {} });
      }
      m.graph.outputs = [...taps, ...grams.map((t) => `gram:${t}`)].map((name) => ({ name, elemType: DT.FLOAT }));
      // Lowered like the gradient graphs: the same transformed weights serve both, made once.
      const lowered = this.opts.winograd ? lowerWinograd(m.graph) : [];
      const fixed = await winogradFeeds(lowered, this.opts.threads, this.transformed);
      const input = realInputs(m.graph).find((v) => !(v.name in fixed))!.name;
      return { session: await ort.InferenceSession.create(encodeModel(m), this.sessionOptions()), input, fixed };
    };
    const results: Record<string, TensorOut>[] = [];
    let built: { session: ort.InferenceSession; input: string; fixed: Record<string, ort.Tensor> } | null = null;
    try {
      for (const x of inputs) {
        if (!built || !shared) {
          await built?.session.release();
          built = await build(x.dims);
        }
        const out = await built.session.run({ ...built.fixed, [built.input]: new ort.Tensor('float32', x.data, x.dims) });
        results.push(Object.fromEntries(Object.keys(out).map((n) => [n, { data: out[n].data as Float32Array, dims: [...out[n].dims] }])));
      }
    } finally {
      await built?.session.release();
    }
    return results;
  }

  /** Releases every cached session. */
  async release(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    this.models.clear();
    this.transformed = new WeakMap();
    for (const p of all) {
      try {
        await (await p).release();
      } catch {
        // a failed build has nothing to release
      }
    }
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function objectId(o: object): number {
  let id = ids.get(o);
  if (!id) ids.set(o, (id = nextId++));
  return id;
}

/** A copy of the model whose image input has a fixed N×C×H×W. */
function withInputSize(model: Model, input: string | undefined, dims: number[]): Model {
  const m = cloneModel(model);
  const inp = input ? m.graph.inputs.find((v) => v.name === input) : realInputs(m.graph)[0];
  if (!inp) throw new StudioError('bad_model', 'model has no input');
  inp.shape = [...dims];
  m.graph.valueInfo.clear();
  return m;
}
