// Adam over an image tensor, in place. Deterministic (no randomness); state is per optimiser.
export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Ascend instead of descend (DeepDream, class visualisation maximise their objective). */
  maximize?: boolean;
}

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  private readonly o: Required<AdamOptions>;

  constructor(size: number, opts: AdamOptions = {}) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, maximize: false, ...opts };
  }

  /** x ← x − lr · m̂ / (√v̂ + ε) (or + for maximize). */
  step(x: Float32Array, grad: ArrayLike<number>): void {
    const { lr, beta1, beta2, eps, maximize } = this.o;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    const sign = maximize ? 1 : -1;
    for (let i = 0; i < x.length; i++) {
      const g = grad[i];
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * g * g;
      x[i] += (sign * lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + eps);
    }
  }
}
