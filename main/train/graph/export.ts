// The trained classifier as a plain inference model: trained weights and running statistics written back
// as initializers, BatchNormalization folded into the Conv before it where it can be (surgery.ts), Dropout
// removed, and the pre-softmax scores available as an output named `logits` (beside the original outputs,
// which keep their names).
import { StudioError } from '../../api/contract.js';
import { cloneModel, DT, type Model } from '../../onnx/ir.js';
import { foldBatchNorm } from '../../onnx/surgery.js';
import { validateModel } from '../../onnx/validate.js';
import { isBatchNorm } from './batchnorm.js';
import { removeDropouts } from './dropout.js';
import { LOGITS } from './names.js';
import { logitsOf } from './prepare.js';

export interface BnRunningStats {
  mean: Float32Array;
  var: Float32Array;
}

/**
 * `weights` maps initializer names to values: trained parameters, and running statistics too if the trainer
 * keeps them by name (TrainGraph.batchNorm[].runningMean/runningVar); `bnStats` is the same by BN node name.
 */
export function exportInference(
  forward: Model,
  weights: ReadonlyMap<string, Float32Array>,
  bnStats: ReadonlyMap<string, BnRunningStats> = new Map(),
): Model {
  validateModel(forward);
  const m = cloneModel(forward);
  const g = m.graph;
  const put = (name: string, data: Float32Array) => {
    const t = g.initializers.get(name);
    if (!t) throw new StudioError('bad_request', `the model has no initializer "${name}"`);
    if (t.data.length !== data.length) throw new StudioError('bad_request', `"${name}" holds ${t.data.length} values, got ${data.length}`);
    g.initializers.set(name, { ...t, data: t.dataType === DT.DOUBLE ? Float64Array.from(data) : Float32Array.from(data) });
  };
  for (const [name, data] of weights) put(name, data);
  const bns = g.nodes.filter(isBatchNorm);
  for (const [node, s] of bnStats) {
    const n = bns.find((x) => x.name === node);
    if (!n) throw new StudioError('bad_request', `the model has no BatchNormalization "${node}"`);
    put(n.inputs[3], s.mean);
    put(n.inputs[4], s.var);
  }
  for (const n of bns) {
    const { training_mode: _t, ...attrs } = n.attrs;
    n.attrs = attrs;
    n.outputs = [n.outputs[0]];
  }
  removeDropouts(m);
  foldBatchNorm(m);
  const logits = logitsOf(g);
  if (!g.outputs.some((o) => o.name === LOGITS)) {
    if (logits !== LOGITS && g.nodes.some((n) => n.outputs.includes(LOGITS)))
      throw new StudioError('bad_model', `a tensor named "${LOGITS}" is not the logits`);
    if (logits !== LOGITS)
      g.nodes.push({ name: 'export/logits', opType: 'Identity', domain: '', inputs: [logits], outputs: [LOGITS], attrs: {} });
    g.outputs.push({ name: LOGITS, elemType: g.outputs[0].elemType, shape: g.outputs[0].shape && [...g.outputs[0].shape] });
  }
  return { ...m, producerName: 'vision-studio-export' };
}
