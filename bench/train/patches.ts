// The image's first Conv as shared im2col + MatMul (shared-patches.ts) against the plain Conv, measured in
// the training step (not a CI test): LeNet-5 on Fashion-MNIST 64×1×28×28 and a 3-channel LeNet-5 at 32×32,
// two TrainSteps alternating on the same weights and batches, medians. Also checks they agree.
// Usage: npx tsx bench/train/patches.ts [--runs 200] [--threads 2]
import { parseArgs } from 'node:util';
import { seededRng } from '../../main/optim/rng';
import { parameterNames } from '../../main/train/graph/prepare';
import { buildTrainGraph } from '../../main/train/graph/train-graph';
import { ARCHITECTURES } from '../../main/train/models/arch';
import { TrainStep } from '../../main/train/step-session';
import { roundRobin } from './lib-stats';
import { initialWeights } from './lib-train-setup';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, threads: { type: 'string', default: '2' } } });
process.env.VISION_STUDIO_THREADS = values.threads;

for (const [channels, size] of [
  [1, 28],
  [3, 32],
] as const) {
  const forward = ARCHITECTURES.lenet5.build({ channels, size, classes: 10, seed: 1 });
  const trainable = parameterNames(forward);
  const weights = initialWeights(forward);
  const rng = seededRng(1);
  const dims = [64, channels, size, size];
  const x = Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => rng.normal());
  const labels = BigInt64Array.from({ length: 64 }, () => BigInt(rng.int(0, 9)));
  const steps = {
    shared: await TrainStep.create(buildTrainGraph(forward, { trainable, dropoutSeedable: true }), 'cpu'),
    conv: await TrainStep.create(buildTrainGraph(forward, { trainable, dropoutSeedable: true, sharedPatches: false }), 'cpu'),
  };
  const a = await steps.shared.run(x, dims, labels, weights, rng);
  const b = await steps.conv.run(x, dims, labels, weights, rng);
  let worst = 0;
  a.grads.forEach((g, i) => {
    const scale = Math.max(...b.grads[i].map(Math.abs));
    g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b.grads[i][j]) / scale)));
  });
  const t = await roundRobin(
    Object.fromEntries(Object.entries(steps).map(([k, s]) => [k, () => s.run(x, dims, labels, weights, rng)])),
    Number(values.runs),
    10,
  );
  console.log(
    `LeNet-5 ${dims.join('×')}: shared patches ${t.shared.toFixed(2)} ms, Conv ${t.conv.toFixed(2)} ms ` +
      `(ratio ${(t.shared / t.conv).toFixed(3)}); loss Δ ${Math.abs(a.loss - b.loss).toExponential(1)}, gradients Δ ≤ ${worst.toExponential(1)} of their largest`,
  );
}
