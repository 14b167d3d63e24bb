// Statistics and a histogram of one weight tensor (an initializer or a Constant node's value), for the node panel.
import type { WeightStats } from '../../api/contract-graph.js';
import { StudioError } from '../../api/contract.js';
import type { Model } from '../ir.js';
import { constantValue } from './costs.js';

export function weightStats(model: Model, tensor: string, bins = 40): WeightStats {
  const t = constantValue(model.graph, tensor);
  if (!t) throw new StudioError('not_found', `"${tensor}" is not a stored weight (initializer or constant) of this model`);
  const n = t.data.length;
  if (n === 0) throw new StudioError('bad_request', `weight "${tensor}" is empty (shape [${t.dims.join(', ')}])`);
  const at = (i: number) => Number(t.data[i]);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = at(i);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (at(i) - mean) ** 2;
  // One bin when every value is equal; else equal-width bins from min to max (max falls in the last bin).
  const k = max > min ? bins : 1;
  const width = (max - min) / k;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[width > 0 ? Math.min(k - 1, Math.floor((at(i) - min) / width)) : 0]++;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? max : min + i * width));
  return { tensor, shape: [...t.dims], count: n, min, max, mean, std: Math.sqrt(sq / n), histogram: { edges, counts } };
}
