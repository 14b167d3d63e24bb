// Scores -> probabilities -> the k best, without sorting the whole vector.

export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  const best: { index: number; value: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (best.length < k || v > best[best.length - 1].value) {
      let j = best.length < k ? best.length : best.length - 1;
      if (best.length < k) best.push({ index: i, value: v });
      while (j > 0 && best[j - 1].value < v) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = { index: i, value: v };
    }
  }
  return best;
}
