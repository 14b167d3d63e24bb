// The input and output names of training, evaluation and exported graphs: the trainer feeds and reads by
// these, so they are written once.

/** int64 [N] class indices. */
export const LABELS = 'labels';
/** Scalar objective that the gradients are of: batch-mean cross-entropy plus the weight penalties. */
export const LOSS = 'loss';
/** Scalar batch-mean cross-entropy alone (label smoothing included, penalties not). */
export const CE = 'ce';
/** Scalar count of samples whose argmax is the label (float). */
export const CORRECT = 'correct';
/** [N, K] pre-softmax scores. */
export const LOGITS = 'logits';
/** δloss/δimage, when asked for. */
export const INPUT_GRAD = 'grad:input';

export const gradOf = (param: string): string => `grad:${param}`;
/** 0/1 keep-mask input of a Dropout node, shaped like its input; the graph scales by 1/(1 − p). */
export const dropoutMask = (node: string): string => `dropout_mask:${node}`;
/** [C] batch mean of a training-mode BatchNormalization. */
export const bnMean = (node: string): string => `bn_mean:${node}`;
/** [C] biased batch variance (the one the forward normalises with). */
export const bnVar = (node: string): string => `bn_var:${node}`;
/** [C] unbiased batch variance (the one torch folds into running_var). */
export const bnVarUnbiased = (node: string): string => `bn_var_unbiased:${node}`;
