// Projector benchmark (not a CI test): the engine's side against scikit-learn on the same machine and matrix,
// and the drawing in headless Chromium.
//
//   1. Embeddings of 2,000 Fashion-MNIST test images (200 per class, 28 px grey PNGs) under MobileNetV2 through
//      transfer learning's computeEmbeddings: a cold run (empty cache) and a warm one (every vector cached).
//   2. PCA to 2-D of the 2,000 × 1,280 embeddings: ours (exact: subspace iteration to a 1e-10 residual) against
//      sklearn PCA(svd_solver='full') (LAPACK) and 'randomized'.
//   3. UMAP (ours: PCA-50, exact kNN, umap-js) against umap-learn when installed; t-SNE (ours: Barnes–Hut,
//      sklearn's schedule) against sklearn TSNE on the same PCA-50 input; the 5-NN accuracy of the folder labels
//      in each layout.
//   4. Frame time with 10,000 and 50,000 thumbnails in headless Chromium (software WebGL; see frames.ts).
//      Needs `npm run build` (it serves the built app).
//
// Usage: npx tsx bench/projector/run.ts [--quick] [--cases embed,pca,umap,tsne,frames] [--threads 2]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cases: { type: 'string', default: 'embed,pca,umap,tsne,frames' },
    threads: { type: 'string', default: '2' },
  },
});
const threads = values.threads!;
process.env.VISION_STUDIO_THREADS = threads;
const cases = new Set(values.cases!.split(','));
const N = values.quick ? 500 : 2000;

const { ModelRegistry } = await import('../../main/models/registry');
const { computeEmbeddings } = await import('../../main/train/transfer/embed');
const { pca } = await import('../../main/projector/pca');
const { layout } = await import('../../main/projector/project');
const { knnAccuracy } = await import('../../main/projector/knn');
const { writeClassFolders } = await import('../../tests/integration/projector/fmnist-folders');
const { PYTHON } = await import('../lib/torch');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-bench-projector-'));
process.env.VISION_STUDIO_HOME = tmp;
const lines: string[] = [];
const say = (s: string) => (console.log(s), lines.push(s));
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  say(
    `projector benchmark: ${N} images, ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, load ${os.loadavg()[0].toFixed(1)}`,
  );
  const engineSide = ['embed', 'pca', 'umap', 'tsne'].some((c) => cases.has(c));
  const { files, labels } = engineSide ? await writeClassFolders(path.join(tmp, 'data'), N / 10) : { files: [], labels: [] };
  if (engineSide) {
    const meta = await new ModelRegistry().resolveAsync(path.resolve(root, '../shared/models/mobilenet_v2_1.0_224.onnx'));
    let t = performance.now();
    const emb = await computeEmbeddings(meta, files, { cacheDir: path.join(tmp, 'cache') });
    const coldMs = performance.now() - t;
    t = performance.now();
    await computeEmbeddings(meta, files, { cacheDir: path.join(tmp, 'cache') });
    const warmMs = performance.now() - t;
    if (cases.has('embed'))
      say(
        `1. embeddings (MobileNetV2, 1280-d): cold ${sec(coldMs)} (${Math.round((N / coldMs) * 1000)} images/s), from the cache ${sec(warmMs)}`,
      );
    const d = emb.dim;
    const x = new Float32Array(N * d);
    emb.vectors[0].forEach((v, i) => x.set(v!, i * d));
    const matrix = path.join(tmp, 'x.f32');
    const labelFile = path.join(tmp, 'y.i32');
    fs.writeFileSync(matrix, new Uint8Array(x.buffer));
    fs.writeFileSync(labelFile, new Uint8Array(Int32Array.from(labels).buffer));

    let peer: Record<string, number | string | null> | null = null;
    if (cases.has('pca') || cases.has('tsne') || cases.has('umap')) {
      try {
        const out = execFileSync(PYTHON, [path.join(here, 'sklearn_peer.py'), matrix, labelFile, String(N), String(d), threads], {
          encoding: 'utf8',
        });
        peer = JSON.parse(out.trim().split('\n').at(-1)!);
      } catch (e) {
        say(`   (the scikit-learn peer failed: ${(e as Error).message.split('\n')[0]}; apt-get install -y python3-sklearn)`);
      }
    }
    const ratio = (ours: number, theirs: unknown) => (typeof theirs === 'number' ? ` → ${(ours / theirs).toFixed(2)}× sklearn's time` : '');
    if (cases.has('pca')) {
      t = performance.now();
      const p = await pca(x, N, d, 2);
      const ms = performance.now() - t;
      say(
        `2. PCA ${N}×${d} → 2: ours ${sec(ms)} (${p.iterations} subspace iterations)` +
          (peer
            ? `; sklearn full ${sec(peer.pca_full_ms as number)}, randomized ${sec(peer.pca_randomized_ms as number)}${ratio(ms, peer.pca_full_ms)} (full)`
            : ''),
      );
    }
    for (const method of ['umap', 'tsne'] as const) {
      if (!cases.has(method)) continue;
      t = performance.now();
      const l = await layout(x, N, d, { method, dims: 2, seed: 0 });
      const ms = performance.now() - t;
      const acc = await knnAccuracy(l.coords, N, 2, labels);
      const name = method === 'umap' ? 'UMAP' : 't-SNE';
      let peerText = '';
      if (method === 'tsne' && peer)
        peerText = `; sklearn TSNE ${sec((peer.tsne_ms as number) + (peer.pca50_ms as number))} incl. its PCA-50 (5-NN ${(peer.tsne_knn as number).toFixed(3)})${ratio(ms, (peer.tsne_ms as number) + (peer.pca50_ms as number))}`;
      if (method === 'umap')
        peerText = peer?.umap_ms
          ? `; umap-learn ${sec(peer.umap_ms as number)} (5-NN ${(peer.umap_knn as number).toFixed(3)})${ratio(ms, peer.umap_ms)}`
          : '; umap-learn is not installed here: no peer';
      say(`3. ${name} ${N} → 2-D: ours ${sec(ms)} incl. PCA-50 (5-NN accuracy of the folders ${acc.toFixed(3)})${peerText}`);
    }
  }
  if (cases.has('frames')) {
    const { measureFrames } = await import('./frames');
    for (const r of await measureFrames(root, values.quick ? [10_000] : [10_000, 50_000]))
      say(
        `4. ${r.n.toLocaleString('en-US')} thumbnails in headless Chromium (${r.renderer}): shown ${sec(r.loadMs)} after "Use" ` +
          `(longest main-thread task ${Math.round(r.longestTaskMs)} ms), panning: frame interval median ${r.frameMedianMs.toFixed(1)} ms, p95 ${r.frameP95Ms.toFixed(1)} ms`,
      );
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
