// Gradient clipping, in place, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (1.13).
// Accepts the gradients flat (Float32Array[]) or grouped as Optimizer.step takes them (Float32Array[][]).

export type Grads = readonly (Float32Array | null)[] | readonly (readonly (Float32Array | null)[])[];

function flatten(grads: Grads): Float32Array[] {
  const out: Float32Array[] = [];
  for (const g of grads) {
    if (g instanceof Float32Array) out.push(g);
    else if (g) for (const x of g) if (x) out.push(x);
  }
  return out;
}

/**
 * Scale all gradients together so their global norm is at most maxNorm; returns the norm before
 * clipping. torch: total = ‖(‖g₁‖, ‖g₂‖, …)‖; coef = max_norm/(total + 1e-6); g ← g·min(coef, 1),
 * so clipping starts when total + 1e-6 > max_norm. The norm is summed in float64 (torch sums in
 * float32: the two differ by ~1e-7 relative); the scaling is a float32 multiply as in torch.
 * normType: any p > 0, or Infinity (max |g|). A non-finite norm leaves the gradients as they are
 * (torch would multiply them by NaN): check the returned norm and skip the step.
 */
export function clipGradNorm(grads: Grads, maxNorm: number, normType = 2): number {
  const gs = flatten(grads);
  if (gs.length === 0) return 0;
  if (!(normType > 0)) throw new RangeError(`clipGradNorm: normType must be positive, got ${normType}`);
  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const g of gs) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]));
  } else {
    // Σ over tensors of ‖g‖ₚᵖ then the p-th root equals torch's norm of the per-tensor norms.
    let acc = 0;
    for (const g of gs) {
      if (normType === 2) for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
      else if (normType === 1) for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]);
      else for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]) ** normType;
    }
    total = normType === 2 ? Math.sqrt(acc) : normType === 1 ? acc : acc ** (1 / normType);
  }
  const f32 = Math.fround;
  // float32 tensor arithmetic in torch: max_norm / (total_norm + 1e-6), clamped to 1.
  const coef = f32(f32(maxNorm) / f32(f32(total) + f32(1e-6)));
  if (Number.isFinite(total) && coef < 1) for (const g of gs) for (let i = 0; i < g.length; i++) g[i] = f32(g[i] * coef);
  return total;
}

/** Clamp every gradient value to [−clipValue, clipValue] (torch clip_grad_value_). */
export function clipGradValue(grads: Grads, clipValue: number): void {
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue: clipValue must be ≥ 0, got ${clipValue}`);
  const hi = Math.fround(clipValue);
  for (const g of flatten(grads)) for (let i = 0; i < g.length; i++) g[i] = g[i] > hi ? hi : g[i] < -hi ? -hi : g[i];
}
