// Training optimisers, lr schedules, the lr range test and gradient clipping: torch.optim's numbers in
// pure TypeScript (no Node, no onnxruntime), shared by the training engine and the optimiser playground.
export {
  OPTIMIZERS,
  Optimizer,
  defaultHyper,
  isOptimizerId,
  type Hyper,
  type HyperName,
  type Knob,
  type OptimizerId,
  type OptimizerOptions,
  type OptimizerSpec,
  type OptimizerStateDict,
  type OptimizerStateDictLike,
  type ParamGroupInit,
  type ParamState,
} from './optimizers.js';
export {
  SCHEDULES,
  WARMUP_KNOBS,
  applySchedule,
  lrAt,
  momentumAt,
  warmupFactor,
  type OneCycleOptions,
  type ScheduleInfo,
  type ScheduleKind,
  type ScheduleSpec,
  type Warmup,
} from './schedules.js';
export {
  findLr,
  suggestLr,
  sweepLr,
  type LrFinderOptions,
  type LrFinderPoint,
  type LrFinderResult,
  type LrSuggestion,
} from './lr-finder.js';
export { clipGradNorm, clipGradValue, type Grads } from './clip.js';
