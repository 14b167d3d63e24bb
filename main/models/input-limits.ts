// The largest model input the studio will prepare. A model (or sidecar, or edited setting) declaring a side of
// 100000 or 2^31 would otherwise import as available and then ask libvips for tens of gigabytes on first use; it is
// refused here, as bad metadata, before anything is allocated. 8192 is ~9x the largest ImageNet classifier input.
import type { ModelMeta } from '../api/contract';

export const MAX_INPUT_SIDE = 8192;

/** Why these sides cannot be used, or null. `what` names the source ("input \"data\"", "input_size"). */
export function sideProblem(sides: readonly (number | undefined)[], what: string): string | null {
  const over = sides.find((s) => s !== undefined && s > MAX_INPUT_SIDE);
  return over === undefined ? null : `${what} has a side of ${over} pixels, over the studio's limit of ${MAX_INPUT_SIDE}`;
}

/** The same check on a whole ModelMeta (stored JSON and overrides are files anyone could edit). */
export function metaSideProblem(m: Pick<ModelMeta, 'inputSize' | 'preprocessing'>): string | null {
  return sideProblem(m.inputSize, 'the input size') ?? sideProblem([m.preprocessing.resizeTo], 'the resize before the crop');
}
