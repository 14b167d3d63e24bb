// Training benchmark (not a CI test): the studio's trainer against PyTorch 1.13 (Debian) on the same machine,
// in the same run, on the same threads, with the peer's work interleaved with ours (50 or 2 steps at a time,
// epoch by epoch for the heads) so that the load of this shared machine hits both sides alike.
//
//   1. LeNet-5 on Fashion-MNIST (60k/10k, batch 64, Adam 1e-3): time per epoch including the data pipeline
//      (ours: trainLoop → ImageSource/makeBatch from the uint8 set → TrainStep → Optimizer; torch: a
//      DataLoader-free loop over a uint8 tensor normalised per batch, torch's fastest honest path) and test
//      accuracy after 10 epochs.
//   2. ResNet-20, 32×32×3, batch 128, SGD momentum 0.9: one step (forward+backward+update) on random data.
//   3. Transfer heads (linear, MLP 1280→256→10 with dropout 0.5) on MobileNetV2 embeddings of 2,000
//      Fashion-MNIST test images (28 px grey PNGs, resized to 224 RGB by our embed code), 30 epochs, batch 64,
//      Adam 1e-3; both sides read the same saved embeddings.
//
// Usage: npx tsx bench/train/run.ts [--quick] [--cases lenet,resnet,head] [--threads 2] [--epochs 10] [--seed 1]
// Where the time goes: npx tsx bench/train/profile.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cases: { type: 'string', default: 'lenet,resnet,head' },
    threads: { type: 'string', default: '2' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const threads = Number(values.threads);
const seed = Number(values.seed);
const quick = values.quick!;
const cases = new Set(values.cases!.split(','));
// createTrainSession (main/runtime/ort.ts) takes its intra-op threads from here; set before any session.
process.env.VISION_STUDIO_THREADS = String(threads);

const ort = await import('onnxruntime-node');
const sharp = (await import('sharp')).default;
const { readFashionMnist, FASHION_MNIST_CLASSES } = await import('../../main/train/data/fashion-mnist');
const { ImageSource, EmbeddingSource } = await import('../../main/train/sources');
const { trainLoop } = await import('../../main/train/loop');
const { ARCHITECTURES } = await import('../../main/train/models/arch');
const { buildHead } = await import('../../main/train/models/head');
const { Optimizer, defaultHyper } = await import('../../main/train/optim/optimizers');
const { computeEmbeddings } = await import('../../main/train/transfer/embed');
const { seededRng } = await import('../../main/optim/rng');
const { median } = await import('../lib/torch');
const { Peer } = await import('./lib-peer');
const { Interleave } = await import('./lib-interleave');
const { mean, quantile } = await import('./lib-stats');
const { initialWeights, setup } = await import('./lib-train-setup');
type Peer = import('./lib-peer').Peer;
type Interleave = import('./lib-interleave').Interleave;
type Source = Parameters<typeof trainLoop>[2];
type Weights = import('../../main/train/step-session').Weights;
type ModelMeta = import('../../main/api/contract').ModelMeta;

const CACHE = path.join(here, '.cache');
const SHARED = path.resolve(here, '../../../shared/models');

interface Row {
  name: string;
  ours: number;
  torch: number;
  unit: string;
  target: number;
  accuracy?: string;
  /** Step times, ours and torch: their median and 10th percentile are less sensitive to this shared machine's load. */
  steps?: [number[], number[]];
  note?: string;
}
const rows: Row[] = [];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
const pct = (a: number) => `${(a * 100).toFixed(2)}%`;

/** trainLoop as both benchmarks run it (batch 64, Adam lr 1e-3, constant), the peer interleaved. */
function adamEpochs(inter: Interleave, source: Source, weights: Weights, epochs: number) {
  return trainLoop(
    inter.step,
    inter,
    source,
    weights,
    {
      epochs,
      batch: 64,
      optimizer: 'adam',
      hyper: { ...defaultHyper('adam'), lr: 1e-3 },
      schedule: { kind: 'constant' },
      earlyStop: 0,
      seed,
    },
    inter.reporter,
  );
}

// ---------------------------------------------------------------- 1. LeNet-5 on Fashion-MNIST
async function lenet(peer: Peer) {
  const epochs = Number(values.epochs ?? (quick ? 1 : 10));
  const limit = quick ? 10_000 : 60_000;
  const train = await readFashionMnist('train');
  const test = await readFashionMnist('test');
  const n = Math.min(limit, train.count);
  const set = (d: typeof train, count: number) => ({
    n: count,
    size: 28,
    channels: 1 as const,
    data: d.images.subarray(0, count * 784),
    labels: Int32Array.from(d.labels.subarray(0, count)),
  });
  const trainSet = set(train, n);
  const testSet = set(test, test.count);
  // The trainer's normalisation: mean and std of the training pixels in 0..1 (train.ts channelStats).
  let s = 0;
  let sq = 0;
  for (const v of trainSet.data) {
    s += v / 255;
    sq += (v / 255) ** 2;
  }
  const m = s / trainSet.data.length;
  const sd = Math.sqrt(sq / trainSet.data.length - m * m);
  const forward = ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, seed });
  const su = await setup(forward, 64);
  const info = await peer.ask('lenet', { mean: m, std: sd, seed, limit: n, batch: 64, lr: 1e-3 });
  console.log(
    `\nLeNet-5 on Fashion-MNIST: ${n} train, ${testSet.n} test, batch 64, Adam lr 1e-3, ${epochs} epoch(s); ${info.params} params; setup ${fmt(su.ms)}`,
  );
  const inter = new Interleave(su.evaluator, su.step, peer, 50, (e) => {
    const [o, p] = [inter.ours, inter.peer];
    console.log(
      `  epoch ${e}: ours ${fmt(o.trainMs[e - 1])} (+ eval ${fmt(o.evalMs[e - 1])}) test ${pct(o.accuracy[e - 1])}` +
        ` | torch ${fmt(p.trainMs[e - 1])} (+ eval ${fmt(p.evalMs[e - 1])}) test ${pct(p.accuracy[e - 1])}; load ${os.loadavg()[0].toFixed(1)}`,
    );
  });
  const source = new ImageSource(trainSet, testSet, new Set(), [m], [sd], 64);
  const weights = initialWeights(forward);
  inter.start();
  await adamEpochs(inter, source, weights, epochs);
  await su.step.release();
  await su.evaluator.release();
  const { ours: o, peer: p } = inter;
  rows.push({
    name: `LeNet-5 FMNIST, epoch of ${n} (mean of ${epochs})`,
    ours: mean(o.trainMs),
    torch: mean(p.trainMs),
    unit: 'epoch',
    target: 1.0,
    accuracy: `${pct(o.accuracy.at(-1)!)} / ${pct(p.accuracy.at(-1)!)} after ${epochs} ep.`,
    steps: [o.steps, p.steps],
    note: `fastest epoch ${fmt(Math.min(...o.trainMs))} / ${fmt(Math.min(...p.trainMs))}; eval of 10k ${fmt(mean(o.evalMs))} / ${fmt(mean(p.evalMs))}`,
  });
}

// ---------------------------------------------------------------- 2. ResNet-20 step
async function resnet(peer: Peer) {
  const batch = 128;
  const forward = ARCHITECTURES.resnet20.build({ channels: 3, size: 32, classes: 10, seed });
  const su = await setup(forward, batch);
  const weights = initialWeights(forward);
  const optimizer = new Optimizer('momentum', [{ params: su.tg.params.map((p) => weights.get(p.name)!) }], { lr: 0.1, momentum: 0.9 });
  const r = seededRng(seed);
  const x = Float32Array.from({ length: batch * 3 * 32 * 32 }, () => r.normal());
  const labels = BigInt64Array.from({ length: batch }, () => BigInt(r.int(0, 9)));
  const dims = [batch, 3, 32, 32];
  const info = await peer.ask('resnet', { batch, lr: 0.1, momentum: 0.9, seed });
  const ourSteps = async (k: number) => {
    const t: number[] = [];
    for (let i = 0; i < k; i++) {
      const t0 = performance.now();
      const out = await su.step.run(x, dims, labels, weights, r);
      optimizer.step([out.grads]);
      t.push(performance.now() - t0);
    }
    return t;
  };
  console.log(`\nResNet-20, ${batch}×3×32×32 random data, SGD lr 0.1 momentum 0.9; ${info.params} params; setup ${fmt(su.ms)}`);
  await ourSteps(3);
  await peer.ask('resnet_steps', { n: 3 });
  const ours: number[] = [];
  const theirs: number[] = [];
  const rounds = quick ? 4 : 10;
  for (let i = 0; i < rounds; i++) {
    ours.push(...(await ourSteps(2)));
    theirs.push(...(await peer.ask<{ ms: number[] }>('resnet_steps', { n: 2 })).ms);
  }
  console.log(
    `  ours mean ${fmt(mean(ours))} median ${fmt(median(ours))} | torch mean ${fmt(mean(theirs))} median ${fmt(median(theirs))} (${ours.length} steps each in chunks of 2, after 3 warm-up)`,
  );
  await su.step.release();
  await su.evaluator.release();
  rows.push({
    name: `ResNet-20 step, batch ${batch} (mean of ${ours.length})`,
    ours: mean(ours),
    torch: mean(theirs),
    unit: 'step',
    target: 0.7,
    steps: [ours, theirs],
  });
}

// ---------------------------------------------------------------- 3. transfer heads on MobileNetV2 embeddings
async function writeImages(perClass: number): Promise<{ files: string[]; labels: number[] }> {
  const test = await readFashionMnist('test');
  const dir = path.join(CACHE, 'fmnist-test-png');
  const files: string[] = [];
  const labels: number[] = [];
  const taken = new Array(10).fill(0);
  for (let i = 0; i < test.count && files.length < perClass * 10; i++) {
    const l = test.labels[i];
    if (taken[l] >= perClass) continue;
    taken[l]++;
    const f = path.join(dir, FASHION_MNIST_CLASSES[l], `${String(i).padStart(5, '0')}.png`);
    if (!fs.existsSync(f)) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      await sharp(test.images.subarray(i * 784, (i + 1) * 784), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(f);
    }
    files.push(f);
    labels.push(l);
  }
  return { files, labels };
}

function mobilenetMeta(): ModelMeta {
  const j = JSON.parse(fs.readFileSync(path.join(SHARED, 'mobilenet_v2_1.0_224.json'), 'utf8'));
  return {
    id: j.name,
    name: j.name,
    family: 'mobilenet',
    source: 'builtin',
    status: 'available',
    path: path.join(SHARED, 'mobilenet_v2_1.0_224.onnx'),
    sha256: j.sha256,
    inputSize: [224, 224],
    numClasses: 1001,
    outputIsProbabilities: false,
    preprocessing: { channelOrder: 'RGB', layout: 'NCHW', scale: 1, mean: [128, 128, 128], std: [128, 128, 128], resize: 'fill' },
    labels: 'imagenet1001',
    labelOffset: 0,
  };
}

async function heads(peer: Peer) {
  const perClass = quick ? 50 : 200;
  const epochs = quick ? 10 : 30;
  const { files, labels } = await writeImages(perClass);
  const t0 = performance.now();
  const emb = await computeEmbeddings(mobilenetMeta(), files, { cacheDir: CACHE, provider: 'cpu' });
  const embedMs = performance.now() - t0;
  if (emb.failed.length) throw new Error(`embedding failed: ${emb.failed[0].file}: ${emb.failed[0].reason}`);
  // Per class, the first 80% train and the rest validation.
  const seen = new Array(10).fill(0);
  const isTrain = labels.map((l) => seen[l]++ < perClass * 0.8);
  const pick = (want: boolean) => labels.map((_, i) => i).filter((i) => isTrain[i] === want);
  const ti = pick(true);
  const vi = pick(false);
  const vec = (i: number) => emb.vectors[0][i]!;
  const dir = path.join(CACHE, `head-emb-${files.length}`);
  fs.mkdirSync(dir, { recursive: true });
  const save = (name: string, idx: number[]) => {
    const x = new Float32Array(idx.length * emb.dim);
    idx.forEach((i, k) => x.set(vec(i), k * emb.dim));
    fs.writeFileSync(path.join(dir, `${name}.f32`), new Uint8Array(x.buffer));
    fs.writeFileSync(path.join(dir, `${name}.labels.i32`), new Uint8Array(Int32Array.from(idx, (i) => labels[i]).buffer));
  };
  save('train', ti);
  save('val', vi);
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ dim: emb.dim, classes: 10, embedding: emb.info.reason }));
  console.log(
    `\nTransfer heads: MobileNetV2 embeddings (${emb.dim}, ${emb.info.reason}) of ${files.length} Fashion-MNIST test images ` +
      `(28 px grey PNG → 224 RGB, sharp linear resize), ${emb.cached} from the cache, ${fmt(embedMs)}; ${ti.length} train / ${vi.length} val; ` +
      `${epochs} epochs, batch 64, Adam lr 1e-3; saved to ${path.relative(process.cwd(), dir)}`,
  );
  for (const kind of ['linear', 'mlp'] as const) {
    const forward = buildHead({ dim: emb.dim, classes: 10, kind, seed });
    const su = await setup(forward, 64);
    await peer.ask('head', { dir, kind, hidden: 256, dropout: 0.5, batch: 64, lr: 1e-3, seed });
    const inter = new Interleave(su.evaluator, su.step, peer, Infinity);
    const source = new EmbeddingSource(
      [ti.map(vec)],
      Int32Array.from(ti, (i) => labels[i]),
      vi.map(vec),
      Int32Array.from(vi, (i) => labels[i]),
      emb.dim,
    );
    inter.start();
    await adamEpochs(inter, source, initialWeights(forward), epochs);
    await su.step.release();
    await su.evaluator.release();
    const { ours: o, peer: p } = inter;
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    const ours = sum(o.trainMs) + sum(o.evalMs);
    const torch = sum(p.trainMs) + sum(p.evalMs);
    console.log(
      `  ${kind}: ours ${fmt(sum(o.trainMs))} steps + ${fmt(sum(o.evalMs))} eval (setup ${fmt(su.ms)}), median step ${fmt(median(o.steps))} | ` +
        `torch ${fmt(sum(p.trainMs))} + ${fmt(sum(p.evalMs))}, median step ${fmt(median(p.steps))}; ` +
        `val ${pct(o.accuracy.at(-1)!)} / ${pct(p.accuracy.at(-1)!)}; load ${os.loadavg()[0].toFixed(1)}`,
    );
    rows.push({
      name: `${kind === 'linear' ? 'Linear' : 'MLP 1280→256→10'} head, ${epochs} epochs × ${ti.length}`,
      ours,
      torch,
      unit: 'run',
      target: 0.7,
      accuracy: `${pct(o.accuracy.at(-1)!)} / ${pct(p.accuracy.at(-1)!)} (val ${vi.length})`,
      steps: [o.steps, p.steps],
      note: `incl. per-epoch validation; steps only ${(sum(o.trainMs) / sum(p.trainMs)).toFixed(2)}×; ours +${fmt(su.ms)} setup (graph, 2 sessions)`,
    });
  }
}

// ---------------------------------------------------------------- main
const peer = new Peer(threads);
try {
  const info = await peer.ask<{ torch: string; threads: number; blas: string[]; gflops: number }>('info');
  if (!info.blas.some((b) => /openblas|mkl|blis/i.test(b)))
    throw new Error(`PyTorch is on the reference BLAS (${info.blas.join(', ') || 'none loaded'}): apt-get install -y libopenblas0-openmp`);
  console.log(
    `threads: ORT intraOpNumThreads ${threads} (interOp 1, level 'extended' as createTrainSession), torch.set_num_threads(${info.threads}), ` +
      `OMP/OPENBLAS_NUM_THREADS=${threads}; ORT ${ort.env.versions.common}, torch ${info.torch}, BLAS ${info.blas[0]} ` +
      `(${info.gflops.toFixed(0)} GFLOP/s best of 5); ${os.cpus()[0].model}, ${os.availableParallelism()} CPUs, load ${os.loadavg()[0].toFixed(1)}` +
      (quick ? '; --quick' : ''),
  );
  if (cases.has('lenet')) await lenet(peer);
  if (cases.has('resnet')) await resnet(peer);
  if (cases.has('head')) await heads(peer);
} finally {
  peer.close();
}

console.log(
  `\nload average at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (the machine is shared: treat ratios as ±15%)`,
);
console.log(
  '| case | ours | PyTorch | ratio (ours/PyTorch) | target | median step ours / PyTorch (ratio) | p10 step ours / PyTorch (ratio) | accuracy ours / PyTorch | notes |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const ratio = r.ours / r.torch;
  const q = (k: number) => {
    if (!r.steps) return '—';
    const [a, b] = r.steps.map((xs) => (k === 0.5 ? median(xs) : quantile(xs, k)));
    return `${fmt(a)} / ${fmt(b)} (${(a / b).toFixed(2)})`;
  };
  console.log(
    `| ${r.name} | ${fmt(r.ours)} | ${fmt(r.torch)} | **${ratio.toFixed(2)}** ${ratio <= r.target ? '✓' : '✗'} | ≤ ${r.target.toFixed(1)} | ${q(0.5)} | ${q(0.1)} | ${r.accuracy ?? '—'} | ${r.note ?? ''} |`,
  );
}
