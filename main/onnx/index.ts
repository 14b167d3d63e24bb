// Public surface of the gradient core: import from here, not from the individual files.
export type { Dim, Graph, Model, Node, Tensor, ValueInfo } from './ir.js';
export { decodeModel, encodeModel, loadModel, MAX_DIM } from './proto.js';
export { SUPPORTED_OPS, topoSort, validateModel } from './validate.js';
export { inferShapes, type ShapeMap } from './shapes.js';
export { exposeTensors, foldBatchNorm, makeSpatialDynamic, maxPoolToAverage, pruneDead, truncateAt, upgradeOpset } from './surgery.js';
export { listLayers, resolveLayer, type LayerInfo, type LayerRole } from './layers.js';
export { targetInputName, type Objective, type WeightedObjective } from './loss.js';
export { buildGradGraph, GRAD_OUTPUT, type GradGraph, type GradGraphSpec } from './grad-graph.js';
export { differentiate, RULES } from './grad/differentiate.js';
export { GradRunner, GradSession, type GradResult, type RunnerOptions, type TensorOut } from './runner.js';
