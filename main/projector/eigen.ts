// Eigen-decomposition of small symmetric matrices (cyclic Jacobi rotations): the Rayleigh–Ritz step of PCA's
// subspace iteration and exact PCA of low-dimensional data. Accurate to rounding; O(n³) per sweep, so only for
// matrices up to a few hundred rows.

/**
 * Eigenvalues in descending order and the eigenvectors as the columns of `vectors` (n×n, row-major), for a
 * symmetric n×n matrix `a` (row-major; not modified).
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p] * m[p * n + p];
      for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // The rotation angle that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** Orthonormalises the rows of `q` (rows × cols) in place: modified Gram–Schmidt, twice (stable to rounding). */
export function orthonormalizeRows(q: Float64Array, rows: number, cols: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < rows; i++) {
      const oi = i * cols;
      for (let j = 0; j < i; j++) {
        const oj = j * cols;
        let dot = 0;
        for (let t = 0; t < cols; t++) dot += q[oi + t] * q[oj + t];
        for (let t = 0; t < cols; t++) q[oi + t] -= dot * q[oj + t];
      }
      let norm = 0;
      for (let t = 0; t < cols; t++) norm += q[oi + t] * q[oi + t];
      norm = Math.sqrt(norm);
      // A row in the span of the others (rank-deficient data) becomes zero rather than noise.
      const inv = norm > 1e-300 ? 1 / norm : 0;
      for (let t = 0; t < cols; t++) q[oi + t] *= inv;
    }
  }
}
