// Builds the one graph a gradient session runs: forward (truncated to what the objective needs),
// loss, backward to the image (and optionally Conv/Gemm parameters), plus requested taps.
import { StudioError } from '../api/contract.js';
import { GraphBuilder } from './builder.js';
import { differentiate, type DifferentiateOptions } from './grad/differentiate.js';
import { cloneModel, defaultOpset, DT, realInputs, type Model } from './ir.js';
import { buildLoss, targetInputName, type WeightedObjective } from './loss.js';
import { inferShapes, type ShapeMap } from './shapes.js';
import { exposeTensors, makeSpatialDynamic, pruneDead, upgradeOpset } from './surgery.js';
import { validateModel } from './validate.js';
import { poolBeforeRelu } from './pool-relu.js';
import { lowerWinograd, type WinogradOptions, type WinogradWeight } from './winograd.js';

export interface GradGraphSpec {
  objectives: WeightedObjective[];
  /** Image input (default: the model's first real input). */
  input?: string;
  /** Intermediate tensors to return alongside (activations for targets, CAMs). */
  taps?: string[];
  /** Initializers to differentiate too (Conv/Gemm weights and biases). */
  params?: string[];
  /** Make N/H/W symbolic so one session serves every image size (default true). */
  dynamic?: boolean;
  /** Accumulate the loss in float64 (see LossOptions.double). */
  doubleLoss?: boolean;
  /** Run wide 3×3 convs (forward and backward) as Winograd F(6×6, 3×3) / F(4×4, 3×3): ~1.5-2× faster there,
   * float32 error ~1e-5 relative instead of ~1e-7 (default true; options as in winograd.ts). The graph then
   * reads the transformed weights as inputs: see `winograd` below and winograd-weights.ts. */
  winograd?: boolean | WinogradOptions;
  /** Test hook: replacement backward rules. */
  rules?: DifferentiateOptions['rules'];
}

export interface GradGraph {
  model: Model;
  input: string;
  loss: string;
  grad: string;
  taps: string[];
  /** Names of the extra inputs that objectives read (targets), with the objective they belong to. */
  targets: string[];
  paramGrads: Map<string, string>;
  /** Whether the spatial size is symbolic. */
  dynamic: boolean;
  /** Shapes of the forward graph (static or symbolic). */
  shapes: ShapeMap;
  /** Transformed weights the Winograd-lowered convs read as inputs (winogradFeeds makes their values). */
  winograd: WinogradWeight[];
}

export const GRAD_OUTPUT = 'grad:input';

export function buildGradGraph(source: Model, spec: GradGraphSpec): GradGraph {
  validateModel(source, { requireSupported: true });
  let model = defaultOpset(source) < 17 ? upgradeOpset(source, 17) : cloneModel(source);
  const input = spec.input ?? realInputs(model.graph)[0]?.name;
  if (!input) throw new StudioError('bad_model', 'model has no input');
  const inInfo = model.graph.inputs.find((v) => v.name === input);
  if (!inInfo) throw new StudioError('bad_request', `model has no input "${input}"`);
  const elemType = inInfo.elemType || DT.FLOAT;
  let dynamic = false;
  if (spec.dynamic !== false) dynamic = makeSpatialDynamic(model, input).dynamic;

  const needed = [...new Set([...spec.objectives.map((o) => o.objective.tensor), ...(spec.taps ?? [])])];
  // Truncate: forward only as far as the objective and taps need.
  model.graph.outputs = [];
  exposeTensors(
    model,
    needed.filter((n) => n !== input),
  );
  pruneDead(model.graph);
  poolBeforeRelu(model.graph);
  model.graph.valueInfo.clear();
  const shapes = inferShapes(model);

  const b = new GraphBuilder(model.graph, elemType, new Map(shapes), 'loss');
  const objectives = spec.objectives.map((o) =>
    o.objective.kind === 'class' && o.objective.l2 && !o.objective.image ? { ...o, objective: { ...o.objective, image: input } } : o,
  );
  const loss = buildLoss(b, objectives, 'loss', { double: spec.doubleLoss });
  const lossShapes = inferShapes(model, { hints: b.shapes, lenient: true });
  const wrt = [input, ...(spec.params ?? [])];
  for (const p of spec.params ?? [])
    if (!model.graph.initializers.has(p)) throw new StudioError('bad_request', `no initializer named "${p}"`);
  const grads = differentiate(model, lossShapes, { loss, wrt, rules: spec.rules, elemType });

  // Rename the input gradient to a stable output name.
  const gradName = grads.get(input)!;
  model.graph.nodes.push({ name: 'grad_input_out', opType: 'Identity', domain: '', inputs: [gradName], outputs: [GRAD_OUTPUT], attrs: {} });
  const taps = spec.taps ?? [];
  model.graph.outputs = [
    { name: loss, elemType: spec.doubleLoss ? DT.DOUBLE : elemType, shape: [] },
    { name: GRAD_OUTPUT, elemType, shape: shapes.get(input)?.shape },
    ...taps.map((t) => ({ name: t, elemType, shape: shapes.get(t)?.shape })),
  ];
  const paramGrads = new Map<string, string>();
  for (const p of spec.params ?? []) {
    const out = `grad:${p}`;
    model.graph.nodes.push({ name: `grad_out_${p}`, opType: 'Identity', domain: '', inputs: [grads.get(p)!], outputs: [out], attrs: {} });
    model.graph.outputs.push({ name: out, elemType, shape: shapes.get(p)?.shape });
    paramGrads.set(p, out);
  }
  pruneDead(model.graph);
  const winograd =
    spec.winograd !== false && elemType === DT.FLOAT
      ? lowerWinograd(model.graph, typeof spec.winograd === 'object' ? spec.winograd : {})
      : [];
  const targets = spec.objectives.map((o) => targetInputName(o.objective)).filter((t): t is string => !!t);
  model.graph.inputs = model.graph.inputs.filter(
    (v) => v.name === input || targets.includes(v.name) || !model.graph.initializers.has(v.name),
  );
  model = { ...model, producerName: 'vision-studio-grad' };
  return { model, input, loss, grad: GRAD_OUTPUT, taps, targets, paramGrads, dynamic, shapes, winograd };
}
