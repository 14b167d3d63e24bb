// The torch.optim reference numbers (tests/reference/torch_optim.py → tests/fixtures/train/torch-optim.json).
import { readFileSync } from 'node:fs';
import type { Hyper, OptimizerId, ScheduleSpec } from '../../../main/train/optim/index.js';

export interface OptimCase {
  name: string;
  kind: OptimizerId;
  hyper: Partial<Hyper>;
  groups: Partial<Hyper>[];
  schedule: ScheduleSpec | null;
}

export interface KernelRun {
  capability: string;
  fused: boolean;
  cases: { name: string; groups: Partial<Hyper>[]; final: number[][] }[];
}

export interface TorchFixture {
  torch: string;
  steps: number;
  shapes: number[][];
  groupOf: number[];
  init: number[][];
  targets: number[][];
  cases: OptimCase[];
  kernels: KernelRun[];
  torchDefaults: Record<OptimizerId, Partial<Hyper>>;
  schedules: { name: string; spec: ScheduleSpec; baseLr: number[]; lr: number[][]; momentum: number[] | null }[];
  clip: (
    | { kind: 'norm'; maxNorm: number; normType: number | 'inf'; grads: number[][]; total: number; clipped: number[][] }
    | { kind: 'value'; clipValue: number; grads: number[][]; clipped: number[][] }
  )[];
}

export const fixture: TorchFixture = JSON.parse(readFileSync(new URL('../../fixtures/train/torch-optim.json', import.meta.url), 'utf8'));

/**
 * max |a − e| / max(|e|, floor) over all values. Fixture floats are float32 written with 9 significant
 * digits, which round-trip: fround gives back torch's exact value, so 0 means bit-identical.
 */
export function maxRelError(actual: ArrayLike<number>[], expected: ArrayLike<number>[], floor = 1e-3): number {
  let worst = 0;
  expected.forEach((e, j) => {
    const a = actual[j];
    if (a.length !== e.length) throw new Error(`length ${a.length} ≠ ${e.length}`);
    for (let i = 0; i < e.length; i++) {
      const ei = Math.fround(e[i]);
      const err = Math.abs(a[i] - ei) / Math.max(Math.abs(ei), floor);
      worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
    }
  });
  return worst;
}
