// Image optimisers and parameterisation helpers for iterative techniques.
export { Adam, type AdamOptions } from './adam.js';
export { lbfgsMinimize, type LbfgsOptions, type LossAndGrad } from './lbfgs.js';
export { seededRng, type Rng } from './rng.js';
export { clampPixels, jitter, normalizeGradient, octaveSizes, resizeBilinear, roll, validRange, type ValidRange } from './image-ops.js';
