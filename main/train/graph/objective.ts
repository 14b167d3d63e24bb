// The classifier's training objective on logits [N, K] and int64 labels [N]:
//   ce = mean_n −Σ_k q_nk · log softmax(z_n)_k,   q = (1 − ε)·onehot(y) + ε/K,
// which is torch.nn.CrossEntropyLoss(label_smoothing=ε) exactly: (1 − ε)·CE + ε·mean_k(−log p_k).
//   loss = ce + λ1·Σ|w| + λ2/2·Σw² over the penalised weights.
// λ2 is torch's weight_decay: SGD's w ← w − η(∂ce/∂w + λ2·w) is the gradient of λ2/2·Σw². An optimiser
// may apply weight decay itself instead (AdamW's decoupled decay must): then pass l2 = 0 here.
import { aInt } from '../../onnx/ir.js';
import type { GraphBuilder } from '../../onnx/builder.js';
import { DT } from '../../onnx/ir.js';

export interface ObjectiveSpec {
  labelSmoothing?: number;
  l1?: number;
  l2?: number;
  /** Weights the penalties apply to. */
  penalised?: string[];
}

export interface ObjectiveTensors {
  loss: string;
  ce: string;
  correct: string;
}

/** Appends the objective; `classes` is K (static). */
export function appendObjective(b: GraphBuilder, logits: string, labels: string, classes: number, spec: ObjectiveSpec): ObjectiveTensors {
  const eps = spec.labelSmoothing ?? 0;
  const n = b.shapeOf(logits)?.shape[0] ?? 'N';
  const logp = b.op('LogSoftmax', [logits], { axis: aInt(1) }, 'logp');
  // onehot(y) as Equal(y[:, None], 0..K−1): labels carry no gradient, so neither do these ops.
  const hit = b.op('Equal', [b.op('Unsqueeze', [labels, b.constI64([1])]), b.constI64([...Array(classes).keys()])], {}, 'onehot');
  b.setShape(hit, { elemType: DT.BOOL, shape: [n, classes] });
  const onehot = b.castF(hit);
  const q = eps === 0 ? onehot : b.add(b.scale(onehot, 1 - eps), b.constF([eps / classes]));
  const perSample = b.reduceSum(b.mul(q, logp), [1], false);
  const ce = b.op('Neg', [b.op('ReduceMean', [perSample], { keepdims: aInt(0) }, 'mean')], {}, 'ce');
  b.setShape(ce, { elemType: b.elemType, shape: [] });

  const terms = [ce];
  for (const w of spec.penalised ?? []) {
    if (spec.l1) terms.push(b.scale(b.op('ReduceSum', [b.op('Abs', [w])], { keepdims: aInt(0) }, 'l1'), spec.l1));
    if (spec.l2) terms.push(b.scale(b.op('ReduceSumSquare', [w], { keepdims: aInt(0) }, 'l2'), spec.l2 / 2));
  }
  const loss = terms.length === 1 ? ce : b.op('Sum', terms, {}, 'loss');

  const predicted = b.op('ArgMax', [logits], { axis: aInt(1), keepdims: aInt(0) }, 'argmax');
  const right = b.op('Equal', [predicted, labels], {}, 'right');
  b.setShape(right, { elemType: DT.BOOL, shape: [n] });
  const correct = b.op('ReduceSum', [b.castF(right)], { keepdims: aInt(0) }, 'correct');
  return { loss, ce, correct };
}
