// What a person reads after training: every validation image's outcome (predicted class, probabilities,
// loss), the confusion matrix (row = true class, column = predicted) and per-class precision and recall.
import type { Prediction } from '../api/contract';

export interface Outcomes {
  predictions: Prediction[];
  confusion: number[][];
  perClass: { precision: number; recall: number; n: number }[];
}

export function outcomes(logits: Float32Array, classes: number, label: (i: number) => number, files: string[]): Outcomes {
  const n = logits.length / classes;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < classes; k++) if (row[k] > max) [max, arg] = [row[k], k];
    let z = 0;
    for (let k = 0; k < classes; k++) z += Math.exp(row[k] - max);
    const y = label(i);
    const pLabel = Math.exp(row[y] - max) / z;
    confusion[y][arg]++;
    predictions.push({ file: files[i], label: y, predicted: arg, pPredicted: 1 / z, pLabel, loss: -Math.log(Math.max(pLabel, 1e-30)) });
  }
  const perClass = confusion.map((r, k) => {
    const tp = r[k];
    const actual = r.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[k], 0);
    return { precision: predicted ? tp / predicted : 0, recall: actual ? tp / actual : 0, n: actual };
  });
  return { predictions, confusion, perClass };
}
