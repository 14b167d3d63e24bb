// BatchNormalization in training graphs. A BN whose γ or β is trained runs in training mode (ORT's kernel:
// statistics of the batch over N and the spatial axes; backward in onnx/grad/rules-norm.ts) and reports
// them, so the trainer updates the running statistics as torch does. A BN whose γ and β are both frozen
// stays in inference mode on its running statistics (fine-tuning with BN frozen).
import { aFloat, aInt, attrFloat, type Node } from '../../onnx/ir.js';
import type { GraphBuilder } from '../../onnx/builder.js';
import { bnMean, bnVar, bnVarUnbiased } from './names.js';

export interface BatchNormStats {
  node: string;
  channels: number;
  epsilon: number;
  /** The running statistics' initializers in the forward model. */
  runningMean: string;
  runningVar: string;
  /** Training-graph outputs: [C] batch mean, biased and unbiased batch variance. */
  mean: string;
  var: string;
  varUnbiased: string;
  /**
   * torch's convention: running = (1 − momentum)·running + momentum·batch, with the unbiased variance for
   * running_var. From the node's ONNX momentum (the weight of the old value): 1 − 0.9 = 0.1 by default.
   */
  momentum: number;
}

export const isBatchNorm = (n: Node): boolean => n.opType === 'BatchNormalization' && (n.domain === '' || n.domain === 'ai.onnx');

/** Whether this BN trains (either affine parameter is trainable). */
export const trainsBatchNorm = (n: Node, trainable: ReadonlySet<string>): boolean =>
  isBatchNorm(n) && (trainable.has(n.inputs[1]) || trainable.has(n.inputs[2]));

/** Rewrites the BN nodes of b.graph in place; returns the statistics each trained one reports. */
export function trainBatchNorms(b: GraphBuilder, trainable: ReadonlySet<string>): BatchNormStats[] {
  const stats: BatchNormStats[] = [];
  for (const n of b.graph.nodes.filter(isBatchNorm)) {
    const { training_mode: _t, ...attrs } = n.attrs;
    if (!trainsBatchNorm(n, trainable)) {
      n.attrs = attrs;
      n.outputs = [n.outputs[0]];
      continue;
    }
    const momentum = 1 - attrFloat(n, 'momentum', 0.9);
    // ONNX's running output is running·momentum + batch·(1 − momentum): momentum 0 makes outputs 1 and 2
    // the batch mean and biased variance, which the backward rule reuses.
    n.attrs = { ...attrs, training_mode: aInt(1), momentum: aFloat(0) };
    const s = { node: n.name, mean: bnMean(n.name), var: bnVar(n.name), varUnbiased: bnVarUnbiased(n.name) };
    n.outputs = [n.outputs[0], s.mean, s.var];
    const channels = Number(b.shapeOf(n.inputs[1])?.shape[0]);
    // m values per channel; unbiased = biased · m/(m − 1).
    const m = b.div(b.sizeF(n.inputs[0]), b.constF([channels]));
    const unbiased = b.mul(s.var, b.div(m, b.sub(m, b.constF([1]))));
    b.graph.nodes.push({
      name: `${n.name}/unbiased`,
      opType: 'Identity',
      domain: '',
      inputs: [unbiased],
      outputs: [s.varUnbiased],
      attrs: {},
    });
    stats.push({ ...s, channels, epsilon: attrFloat(n, 'epsilon', 1e-5), runningMean: n.inputs[3], runningVar: n.inputs[4], momentum });
  }
  return stats;
}
