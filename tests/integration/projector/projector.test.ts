// The embedding projector as a person uses it, on real data through the engine's jobs: Fashion-MNIST class
// folders (40 PNGs per class, the first of each class in the test set) embedded by MobileNetV2 (the input of
// its classifier, from the cache transfer learning shares), laid out by PCA (equal to scikit-learn's up to
// sign), UMAP and t-SNE (the folders stay apart: 5-NN accuracy in the layout, chance is 10%), cosine
// neighbours, a selection turned into a training class, cancel, and the CLI's points.json.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, ProjectionResult, ProjectorSet } from '../../../main/api/contract';
import { runCli } from '../../../main/cli/main';
import { Engine } from '../../../main/engine/engine';
import { datasetsDir, trainCacheDir } from '../../../main/paths';
import { pca } from '../../../main/projector/pca';
import { scanDataset } from '../../../main/train/data/scan';
import { fashionMnistAvailable } from '../../../main/train/data/fashion-mnist';
import { computeEmbeddings } from '../../../main/train/transfer/embed';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';
import { makeTempHome } from '../../helpers/temp-home';
import { writeClassFolders } from './fmnist-folders';

const home = makeTempHome('vs-projector-');
process.env.VISION_STUDIO_HOME = home.dir;
const data = path.join(home.dir, 'fmnist');
const haveData = (fashionMnistAvailable() || !!process.env.CI) && !!sharedModelsDir;
const MODEL = sharedPath('mobilenet_v2_1.0_224.onnx');
const PER_CLASS = 40;
let engine: Engine;
const events: JobEvent[] = [];
let set: ProjectorSet;

beforeAll(async () => {
  engine = new Engine({ transport: 'test', logDir: path.join(home.dir, 'log') });
  engine.onEvent((e) => e.channel === 'job' && events.push(e.payload));
  if (haveData) await writeClassFolders(data, PER_CLASS);
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  home.cleanup();
});

async function job<T>(start: Promise<{ jobId: string }>): Promise<T> {
  return engine.services.jobs.wait<T>((await start).jobId);
}
const project = (params: Record<string, unknown>) =>
  job<ProjectionResult>(engine.call('projector.project', { setId: set.setId, ...params } as never));
const coordsOf = (r: ProjectionResult) => new Float32Array(r.coords.slice().buffer);

describe.skipIf(!haveData)('projector on Fashion-MNIST class folders with MobileNetV2', () => {
  it('embeds a folder as a job: every image with its folder, the model’s prediction and a thumbnail', async () => {
    const { jobId } = await engine.call('projector.embed', { dataset: data, modelId: MODEL } as never);
    set = await engine.services.jobs.wait<ProjectorSet>(jobId);
    expect(set.files).toHaveLength(10 * PER_CLASS);
    expect(set.classes).toContain('Ankle_boot');
    expect(set.dim).toBe(1280);
    expect(set.embedding).toMatch(/Gemm/);
    // Labels are the class folders.
    set.files.forEach((f, i) => expect(path.basename(path.dirname(f))).toBe(set.classes[set.labels[i]]));
    // Predictions: ImageNet classes with softmax confidences.
    expect(set.predicted).toHaveLength(set.files.length);
    expect(set.confidence!.every((c) => c > 0 && c <= 1)).toBe(true);
    expect(set.predictedClasses.length).toBeGreaterThan(1);
    // Progress reached the page with a message and rising fractions.
    const progress = events.filter((e) => e.type === 'progress' && e.jobId === jobId) as Extract<JobEvent, { type: 'progress' }>[];
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => /embeddings/.test(p.message ?? ''))).toBe(true);
    // The atlas: 400 thumbnails of 64 px, 20 a row, in one JPEG page; cell 0 is the first image.
    expect(set.atlas).toMatchObject({ thumb: 64, perRow: 20, pages: [{ width: 1280, height: 1280, count: 400 }] });
    const page = await engine.call('projector.atlasPage', { setId: set.setId, page: 0 });
    const meta = await sharp(page.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 1280]);
    const cell = await sharp(page.bytes).extract({ left: 0, top: 0, width: 64, height: 64 }).greyscale().raw().toBuffer();
    const want = await sharp(set.files[0]).resize(64, 64).greyscale().raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < cell.length; i++) diff += Math.abs(cell[i] - want[i]);
    expect(diff / cell.length).toBeLessThan(12); // JPEG at quality 85 against the plain resize
  }, 600_000);

  it('shares the embedding cache with transfer learning: a second set reads every vector from it', async () => {
    const again = await job<ProjectorSet>(engine.call('projector.embed', { dataset: data, modelId: MODEL, thumbnails: false } as never));
    expect(again.cached).toBe(10 * PER_CLASS);
    expect(again.atlas).toBeNull();
  }, 120_000);

  it('PCA equals scikit-learn’s (svd_solver="full") up to sign on the fixture’s 200 embeddings', async () => {
    const fx = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/projector/sklearn-pca.json'), 'utf8'));
    // The fixture's images: the first 20 of each class in test-set order; the same bytes, so cache hits.
    const scan = await scanDataset(data);
    const byClass = scan.classes.map((c) => fs.readdirSync(path.join(data, c)).sort());
    const files = await orderLikeFixture(byClass, scan.classes, fx.n / 10);
    const meta = await engine.services.models.resolveAsync(MODEL);
    const emb = await computeEmbeddings(meta, files, { cacheDir: trainCacheDir() });
    const x = new Float32Array(fx.n * fx.d);
    emb.vectors[0].forEach((v, i) => x.set(v!, i * fx.d));
    let sum = 0;
    for (const v of x) sum += v;
    expect(Math.abs(sum - fx.fingerprint.sum) / Math.abs(fx.fingerprint.sum)).toBeLessThan(1e-5);
    const p = await pca(x, fx.n, fx.d, 3);
    const scale = Math.max(...fx.coords.flat().map(Math.abs));
    for (let j = 0; j < 3; j++) {
      const ours = Array.from({ length: fx.n }, (_, i) => p.coords[i * 3 + j]);
      const ref = fx.coords.map((row: number[]) => row[j]);
      const same = Math.max(...ours.map((v, i) => Math.abs(v - ref[i])));
      const flipped = Math.max(...ours.map((v, i) => Math.abs(v + ref[i])));
      expect(Math.min(same, flipped) / scale).toBeLessThan(1e-4);
      // The same sign convention as scikit-learn 1.2's svd_flip, so not even a flip.
      expect(same / scale).toBeLessThan(1e-4);
      expect(p.varianceRatio[j]).toBeCloseTo(fx.varianceRatio[j], 5);
    }
  }, 300_000);

  it('lays the folders out apart: 5-NN accuracy in the layout (chance 10%) for PCA, UMAP and t-SNE', async () => {
    const pca2 = await project({ method: 'pca', dims: 2 });
    const umap2 = await project({ method: 'umap', dims: 2, seed: 1 });
    const tsne2 = await project({ method: 'tsne', dims: 2, seed: 1 });
    const umap3 = await project({ method: 'umap', dims: 3, seed: 1 });
    console.log(
      `5-NN accuracy of the folders in the layout (400 images): PCA ${pca2.knnAccuracy}, UMAP ${umap2.knnAccuracy}, ` +
        `t-SNE ${tsne2.knnAccuracy}, UMAP 3-D ${umap3.knnAccuracy}; times ${[pca2, umap2, tsne2, umap3].map((r) => Math.round(r.ms)).join(', ')} ms`,
    );
    expect(pca2.varianceRatio).toHaveLength(2);
    expect(coordsOf(pca2)).toHaveLength(800);
    expect(coordsOf(umap3)).toHaveLength(1200);
    expect(pca2.knnAccuracy).toBeGreaterThanOrEqual(0.4);
    expect(umap2.knnAccuracy).toBeGreaterThanOrEqual(0.65);
    expect(tsne2.knnAccuracy).toBeGreaterThanOrEqual(0.65);
    expect(umap3.knnAccuracy).toBeGreaterThanOrEqual(0.65);
    // Seeded: the same seed gives the same layout.
    const again = await project({ method: 'umap', dims: 2, seed: 1 });
    expect(coordsOf(again)).toEqual(coordsOf(umap2));
  }, 600_000);

  it('lists the nearest images by cosine similarity of the embeddings, mostly of the same folder', async () => {
    const trouser = set.classes.indexOf('Trouser');
    const q = set.labels.indexOf(trouser);
    const { neighbors } = await engine.call('projector.neighbors', { setId: set.setId, index: q, k: 10 });
    expect(neighbors).toHaveLength(10);
    expect(neighbors.map((n) => n.index)).not.toContain(q);
    for (let i = 1; i < neighbors.length; i++) expect(neighbors[i].similarity).toBeLessThanOrEqual(neighbors[i - 1].similarity);
    expect(neighbors.filter((n) => set.labels[n.index] === trouser).length).toBeGreaterThanOrEqual(8);
  });

  it('turns a selection into a training class of a managed dataset, names kept apart', async () => {
    const boots = set.labels.map((l, i) => (set.classes[l] === 'Ankle_boot' ? i : -1)).filter((i) => i >= 0);
    const sneakers = set.labels.map((l, i) => (set.classes[l] === 'Sneaker' ? i : -1)).filter((i) => i >= 0);
    const mixed = [...boots.slice(0, 5), ...sneakers.slice(0, 5)];
    const a = await engine.call('projector.toTrainingClass', { setId: set.setId, indices: mixed, label: 'shoes' });
    expect(a).toMatchObject({ added: 10, skipped: [] });
    const b = await engine.call('projector.toTrainingClass', {
      setId: set.setId,
      indices: boots.slice(10, 14),
      label: 'boots',
      dataset: a.dataset,
    });
    expect(b).toMatchObject({ dataset: a.dataset, added: 4 });
    const scan = await scanDataset(path.join(datasetsDir(), a.dataset));
    expect(scan.classes).toEqual(['boots', 'shoes']);
    // 00001.png exists in both source folders: both copies survive.
    expect(scan.train.filter((s) => s.label === 1)).toHaveLength(10);
    await expect(engine.call('projector.toTrainingClass', { setId: set.setId, indices: [0], label: '..' })).resolves.toMatchObject({
      added: 0,
    });
  });

  it('cancels a t-SNE within a moment of the request', async () => {
    const { jobId } = await engine.call('projector.project', { setId: set.setId, method: 'tsne', iterations: 5000 } as never);
    while (!events.some((e) => e.jobId === jobId && e.type === 'progress')) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    engine.services.jobs.cancel(jobId);
    await expect(engine.services.jobs.wait(jobId)).rejects.toMatchObject({ code: 'cancelled' });
    expect(performance.now() - t0).toBeLessThan(2000);
  }, 120_000);

  it('vision-studio project writes points.json with folder labels (z = 0 in 2-D) and prints its summary', async () => {
    const out = path.join(home.dir, 'points.json');
    let stdout = '';
    const code = await runCli(['project', '--data', data, '--model', MODEL, '--method', 'pca', '--out', out, '--json'], {
      out: (s) => (stdout += s),
      err: () => undefined,
    });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ method: 'pca', model: 'mobilenet_v2_1.0_224', dims: 2, points: 400 });
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(Object.keys(doc)).toEqual(['method', 'model', 'dims', 'points']);
    expect(doc.points).toHaveLength(400);
    for (const p of doc.points) {
      expect(Object.keys(p)).toEqual(['file', 'label', 'x', 'y', 'z']);
      expect(path.basename(path.dirname(p.file))).toBe(p.label);
      expect(p.z).toBe(0);
    }
    // The engine's PCA and the CLI's agree (same code, same cache).
    const viaEngine = coordsOf(await project({ method: 'pca', dims: 2 }));
    expect(doc.points[7].x).toBeCloseTo(viaEngine[14], 4);
    // Bad input is named.
    let err = '';
    const bad = await runCli(['project', '--data', data, '--model', MODEL, '--method', 'mds', '--out', out], {
      out: () => undefined,
      err: (s) => (err += s),
    });
    expect(bad).toBe(2);
    expect(err).toMatch(/--method must be one of pca, umap, tsne/);
  }, 300_000);

  it('refuses a folder without class folders with a sentence naming it', async () => {
    const empty = path.join(home.dir, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    await expect(
      engine.call('projector.embed', { dataset: empty, modelId: MODEL } as never).then((r) => engine.services.jobs.wait(r.jobId)),
    ).rejects.toThrow(/empty: no class folders with images found/);
  });
});

/** The fixture's order: the test set's order, which writeClassFolders numbered per class (00001.png …). */
async function orderLikeFixture(byClass: string[][], classes: string[], per: number): Promise<string[]> {
  const { readFashionMnist, FASHION_MNIST_CLASSES } = await import('../../../main/train/data/fashion-mnist');
  const t = await readFashionMnist('test');
  const taken = new Array<number>(10).fill(0);
  const files: string[] = [];
  for (let i = 0; i < t.count && files.length < per * 10; i++) {
    const l = t.labels[i];
    if (taken[l] >= per) continue;
    const name = byClass[classes.indexOf(FASHION_MNIST_CLASSES[l])][taken[l]++];
    files.push(path.join(data, FASHION_MNIST_CLASSES[l], name));
  }
  return files;
}
