// 10,000 points projected: the 10,000 Fashion-MNIST test images as 784-d pixel vectors (the raw matrix, so the
// test spends its time on the projection, not on embeddings) laid out by PCA and UMAP in 2-D, with the time
// printed and the folders' 5-NN accuracy asserted in the UMAP layout (chance is 10%; PCA's 2-D is printed).
import { describe, expect, it } from 'vitest';
import { fashionMnistAvailable } from '../../../main/train/data/fashion-mnist';
import { layout, layoutKnnAccuracy } from '../../../main/projector/project';
import { fashionPixels } from './fmnist-folders';

const haveData = fashionMnistAvailable() || !!process.env.CI;

describe.skipIf(!haveData)('10,000 points', () => {
  it('PCA and UMAP lay out 10,000 Fashion-MNIST images; UMAP keeps the classes apart (5-NN ≥ 0.7)', async () => {
    const n = 10_000;
    const { x, labels, d } = await fashionPixels(n);
    let ticks = 0;
    let t = performance.now();
    const p = await layout(x, n, d, { method: 'pca', dims: 2, onProgress: () => ticks++ });
    const pcaMs = performance.now() - t;
    t = performance.now();
    const u = await layout(x, n, d, { method: 'umap', dims: 2, seed: 0, onProgress: () => ticks++ });
    const umapMs = performance.now() - t;
    const pcaAcc = await layoutKnnAccuracy(p.coords, n, 2, labels);
    const umapAcc = await layoutKnnAccuracy(u.coords, n, 2, labels);
    console.log(
      `10,000 × 784 (load ${(await import('node:os')).loadavg()[0].toFixed(1)}): PCA ${(pcaMs / 1000).toFixed(1)} s (5-NN ${pcaAcc.toFixed(3)}), ` +
        `UMAP ${(umapMs / 1000).toFixed(1)} s incl. PCA-50 and exact kNN (5-NN ${umapAcc.toFixed(3)})`,
    );
    expect(u.coords).toHaveLength(2 * n);
    expect(u.coords.every(Number.isFinite)).toBe(true);
    expect(umapAcc).toBeGreaterThanOrEqual(0.7);
    expect(pcaAcc).toBeGreaterThan(0.3);
    // The work yields to the event loop with progress (cancel and other calls get through).
    expect(ticks).toBeGreaterThan(20);
  }, 900_000);
});
