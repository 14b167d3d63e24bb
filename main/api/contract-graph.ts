// Graph shapes of the contract (graph.*): the architecture view: a model as a graph with shapes, costs and receptive fields (#12). Node-free: the renderer imports it.
// Keys carry their prefix so contract.ts spreads the table into Methods as it is.
import { z } from 'zod';

/** The largest input side graph.describe accepts (a 4096² input already makes VGG16 cost ~5 TMACs). */
export const GRAPH_MAX_SIDE = 4096;

/** A dimension: a number when known, a symbol ('N', 'pool(H,3,2,1,1)') when dynamic, '?' when shape inference gave up. */
export const GraphDim = z.union([z.number(), z.string()]);
/** null: the shape is unknown (an op shape inference does not cover). */
export const GraphShape = z.array(GraphDim).nullable();

/** Receptive field bookkeeping along one axis (H), in input pixels; null where it cannot be followed. */
export const GraphRf = z.object({
  /** Receptive field size: input pixels one output position sees. */
  rf: z.number(),
  /** Effective stride ("jump"): input pixels between neighbouring output positions. */
  stride: z.number(),
  /** Effective padding: input pixels the first output position's window starts before pixel 0. */
  padding: z.number(),
});

export const GraphWeight = z.object({
  /** The initializer's tensor name (pass it to graph.weights). */
  name: z.string(),
  shape: z.array(z.number()),
  /** Counted in `params` (learnable): false for BatchNormalization running statistics, shape constants, clip bounds. */
  learnable: z.boolean(),
});

export const GraphAttr = z.union([z.number(), z.string(), z.array(z.number()), z.array(z.string())]);

export const GraphNode = z.object({
  /** Stable id: the node's index in topological order as a string ('n12'). */
  id: z.string(),
  name: z.string(),
  op: z.string(),
  /** Data inputs and outputs (tensor names; initializers are listed under `weights`). */
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  /** Attributes with small values only (ints, floats, strings, short lists); tensors and graphs left out. */
  attributes: z.record(z.string(), GraphAttr),
  /** Readable layer name of the node's output (conv4_2, relu4_2, layer3) or null. */
  layer: z.string().nullable(),
  /** The block (entry of `layers`) the node belongs to. */
  block: z.string(),
  /** Output shape (first output) at the chosen input size. */
  shape: GraphShape,
  params: z.number(),
  /** Multiply-accumulates (FLOPs = 2 × MACs); null when a needed shape is unknown. */
  macs: z.number().nullable(),
  /** Bytes of the node's outputs at the chosen input size; null when a shape is unknown. */
  memoryBytes: z.number().nullable(),
  rf: GraphRf.nullable(),
  /** Conv/pool arithmetic (kernel, stride, dilation, pads as [top, left, bottom, right], groups) for the H/W axes. */
  conv: z
    .object({
      kernel: z.array(z.number()),
      strides: z.array(z.number()),
      dilations: z.array(z.number()),
      pads: z.array(z.number()),
      groups: z.number(),
      ceilMode: z.boolean(),
      /** Spatial input and output sizes [H, W] when known. */
      inSize: z.array(GraphDim).nullable(),
      outSize: z.array(GraphDim).nullable(),
    })
    .nullable(),
  weights: z.array(GraphWeight),
});
export type GraphNode = z.infer<typeof GraphNode>;

export const GraphEdge = z.object({
  /** Producer node id, or 'input' for the model input. */
  from: z.string(),
  /** Consumer node id, or 'output' for a model output. */
  to: z.string(),
  tensor: z.string(),
  shape: GraphShape,
});
export type GraphEdge = z.infer<typeof GraphEdge>;

const GraphBlockFacts = z.object({
  /** Block name: the readable layer name (conv1_1, pool1, layer3, layer3.1, stem) or the last tensor's name. */
  name: z.string(),
  /** The block's main op (its first Conv/Gemm/MatMul/pool, else its last node's op). */
  op: z.string(),
  /** Output shape of the block's last node. */
  shape: GraphShape,
  params: z.number(),
  macs: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  rf: GraphRf.nullable(),
  nodeIds: z.array(z.string()),
});
export const GraphLayer = GraphBlockFacts.extend({
  /**
   * A residual stage's residual blocks in order (layer3.0, layer3.1, … as torchvision numbers them), whose
   * nodeIds partition the stage's; absent for other blocks. The view folds to stages or to these.
   */
  children: z.array(GraphBlockFacts).optional(),
});
export type GraphLayer = z.infer<typeof GraphLayer>;
export type GraphSubLayer = z.infer<typeof GraphBlockFacts>;

export const GraphDescription = z.object({
  model: z.string(),
  /** [N, C, H, W] the facts are computed for (N = 1). */
  input: z.array(GraphDim),
  /** Learnable parameters: Conv, ConvTranspose, Gemm, MatMul with a constant operand (weights and biases), BatchNormalization scale and bias. */
  params: z.number(),
  /** Multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul (FLOPs = 2 × MACs). */
  macs: z.number(),
  /** Sum of every node's output bytes (an upper bound on activation memory; runtimes reuse buffers). */
  memoryBytes: z.number(),
  /** Nodes whose output shape could not be inferred (their shapes, MACs and memory are null). */
  unknownShapes: z.number(),
  /** Why shape inference stopped, when it did (e.g. an op it does not know). */
  warnings: z.array(z.string()),
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  layers: z.array(GraphLayer),
});
export type GraphDescription = z.infer<typeof GraphDescription>;

export const WeightStats = z.object({
  tensor: z.string(),
  shape: z.array(z.number()),
  count: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  std: z.number(),
  /** Equal-width bins from min to max: `edges` has one more entry than `counts`. */
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }),
});
export type WeightStats = z.infer<typeof WeightStats>;

// Sides over GRAPH_MAX_SIDE are refused by the engine with a sentence that names the limit.
const Size = z.tuple([z.number().int().min(1), z.number().int().min(1)]);

export const GraphMethods = {
  /** Every node, edge and block of a model with shapes, parameters, MACs, memory and receptive fields at an input size. */
  'graph.describe': {
    params: z.object({ modelId: z.string(), /** [H, W]; default: the model's native input size. */ size: Size.optional() }),
    result: GraphDescription,
  },
  /** Statistics and a histogram of one initializer (a node's weight) for the node panel. */
  'graph.weights': {
    params: z.object({ modelId: z.string(), tensor: z.string(), bins: z.number().int().min(2).max(256).default(40) }),
    result: WeightStats,
  },
} satisfies Record<`graph.${string}`, { params: z.ZodType; result: z.ZodType }>;
