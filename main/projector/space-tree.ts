// The Barnes–Hut tree of t-SNE's layout: a quadtree (2-D) or octree (3-D) over the current points, each cell
// holding its point count and centre of mass, so the repulsion of a far cell is one term (van der Maaten 2014).
// Flat typed arrays, rebuilt every iteration.

const MAX_DEPTH = 40;

export class SpaceTree {
  private cap = 0;
  private count = new Int32Array(0);
  private first = new Int32Array(0);
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private com = new Float64Array(0);
  private center = new Float64Array(0);
  private half = new Float64Array(0);
  private nodes = 0;
  private readonly perm: Int32Array;
  private readonly tmp: Int32Array;
  private readonly codes: Uint8Array;
  private readonly fan: number;
  private readonly stack: Int32Array;

  constructor(
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly dims: 2 | 3,
  ) {
    this.fan = 1 << dims;
    this.perm = new Int32Array(n);
    this.tmp = new Int32Array(n);
    this.codes = new Uint8Array(n);
    this.stack = new Int32Array(MAX_DEPTH * this.fan + 16);
    this.grow(Math.max(16, 2 * n));
  }

  private grow(cap: number): void {
    const d = this.dims;
    const copy = <T extends Int32Array | Float64Array>(a: T, per: number): T => {
      const b = new (a.constructor as { new (n: number): T })(cap * per);
      b.set(a.subarray(0, this.nodes * per));
      return b;
    };
    this.count = copy(this.count, 1);
    this.first = copy(this.first, 1);
    this.start = copy(this.start, 1);
    this.end = copy(this.end, 1);
    this.com = copy(this.com, d);
    this.center = copy(this.center, d);
    this.half = copy(this.half, 1);
    this.cap = cap;
  }

  private alloc(k: number): number {
    if (this.nodes + k > this.cap) this.grow(Math.max(this.cap * 2, this.nodes + k));
    const id = this.nodes;
    this.nodes += k;
    return id;
  }

  /** Rebuilds the tree over the current positions. */
  build(): void {
    const { y, n, dims: d } = this;
    this.nodes = 0;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      this.perm[i] = i;
      for (let t = 0; t < d; t++) {
        const v = y[i * d + t];
        if (v < lo[t]) lo[t] = v;
        if (v > hi[t]) hi[t] = v;
      }
    }
    const root = this.alloc(1);
    let half = 0;
    for (let t = 0; t < d; t++) {
      this.center[root * d + t] = (lo[t] + hi[t]) / 2;
      half = Math.max(half, (hi[t] - lo[t]) / 2);
    }
    this.half[root] = half * (1 + 1e-9) + 1e-12;
    this.fill(root, 0, n, 0);
  }

  private fill(node: number, s: number, e: number, depth: number): void {
    const { y, dims: d, perm } = this;
    this.count[node] = e - s;
    this.start[node] = s;
    this.end[node] = e;
    this.first[node] = -1;
    for (let t = 0; t < d; t++) {
      let sum = 0;
      for (let p = s; p < e; p++) sum += y[perm[p] * d + t];
      this.com[node * d + t] = e > s ? sum / (e - s) : 0;
    }
    if (e - s <= 1 || depth >= MAX_DEPTH) return;
    // Counting sort of the cell's points by child (bit t set: above the centre along axis t).
    const counts = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let p = s; p < e; p++) {
      const i = perm[p];
      let code = 0;
      for (let t = 0; t < d; t++) if (y[i * d + t] > this.center[node * d + t]) code |= 1 << t;
      this.codes[p] = code;
      counts[code]++;
    }
    const offs = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let c = 1; c < this.fan; c++) offs[c] = offs[c - 1] + counts[c - 1];
    const at = offs.slice();
    for (let p = s; p < e; p++) this.tmp[s + at[this.codes[p]]++] = perm[p];
    perm.set(this.tmp.subarray(s, e), s);
    const child = this.alloc(this.fan);
    this.first[node] = child;
    const h = this.half[node] / 2;
    for (let c = 0; c < this.fan; c++) {
      const id = child + c;
      this.half[id] = h;
      for (let t = 0; t < d; t++) this.center[id * d + t] = this.center[node * d + t] + ((c >> t) & 1 ? h : -h);
      this.fill(id, s + offs[c], s + offs[c] + counts[c], depth + 1);
    }
  }

  /**
   * Adds point i's unnormalised repulsion Σ_j q̃_ij² (y_i − y_j), q̃ = 1/(1 + ‖y_i − y_j‖²), into `force`
   * (length dims) and returns Σ_j q̃_ij. A cell narrower than θ × its distance counts as one body; θ = 0 is exact.
   */
  repulsion(i: number, theta: number, force: Float64Array): number {
    const { y, dims: d, stack } = this;
    const th2 = theta * theta;
    const oi = i * d;
    let sumQ = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top];
      const cnt = this.count[node];
      if (cnt === 0) continue;
      const child = this.first[node];
      if (child < 0) {
        for (let p = this.start[node]; p < this.end[node]; p++) {
          const j = this.perm[p];
          if (j === i) continue;
          let d2 = 0;
          for (let t = 0; t < d; t++) {
            const diff = y[oi + t] - y[j * d + t];
            d2 += diff * diff;
          }
          const q = 1 / (1 + d2);
          sumQ += q;
          const q2 = q * q;
          for (let t = 0; t < d; t++) force[t] += q2 * (y[oi + t] - y[j * d + t]);
        }
        continue;
      }
      let d2 = 0;
      for (let t = 0; t < d; t++) {
        const diff = y[oi + t] - this.com[node * d + t];
        d2 += diff * diff;
      }
      const width = 2 * this.half[node];
      if (width * width < th2 * d2) {
        const q = 1 / (1 + d2);
        sumQ += cnt * q;
        const m = cnt * q * q;
        for (let t = 0; t < d; t++) force[t] += m * (y[oi + t] - this.com[node * d + t]);
      } else {
        for (let c = 0; c < this.fan; c++) if (this.count[child + c] > 0) stack[top++] = child + c;
      }
    }
    return sumQ;
  }
}
