// The learning-rate range test on a real run (Smith 2017; fastai's lr_find): the run's own network, data,
// optimiser and batches, one step per learning rate on an exponential sweep from 1e-7 to 10, stopped when
// the smoothed loss blows up. The weights are thrown away afterwards: nothing is exported.
import type { TrainParams } from '../api/contract';
import { seededRng } from '../optim/rng';
import { findLr, type LrFinderResult } from './optim/lr-finder';
import { Optimizer } from './optim/optimizers';
import { TrainStep } from './step-session';
import { loopOptions, prepareRun, trainGraphOf, type TrainReporter, type TrainServices } from './train';

export async function findLearningRate(p: TrainParams, s: TrainServices, r: TrainReporter, iterations = 100): Promise<LrFinderResult> {
  const { provider, prepared } = await prepareRun(p, s, r);
  const { source, weights } = prepared;
  const step = await TrainStep.create(trainGraphOf(p, prepared), provider, Math.min(p.batch, prepared.source.trainCount));
  try {
    const o = loopOptions(p, source.trainCount);
    const names = step.graph.params.map((x) => x.name);
    const groups = prepared.groups ?? [{ names, lrScale: 1 }];
    const optimizer = new Optimizer(
      p.optimizer,
      groups.map((g) => ({ params: g.names.map((n) => weights.get(n)!) })),
      o.hyper,
    );
    const order = groups.map((g) => g.names.map((n) => names.indexOf(n)));
    const rng = seededRng(p.seed);
    const idx = Uint32Array.from({ length: source.trainCount }, (_, i) => i);
    let at = idx.length;
    return await findLr(
      async (lr, i) => {
        r.throwIfCancelled();
        if (at + p.batch > idx.length) {
          for (let k = idx.length - 1; k > 0; k--) {
            const j = Math.floor(rng.next() * (k + 1));
            [idx[k], idx[j]] = [idx[j], idx[k]];
          }
          at = 0;
        }
        const indices = idx.subarray(at, Math.min(idx.length, at + p.batch));
        at += p.batch;
        groups.forEach((g, gi) => optimizer.setLr(gi, lr * g.lrScale));
        const b = source.trainBatch(indices, 1, rng);
        const out = await step.run(b.x, b.dims, b.labels, weights, rng);
        if (Number.isFinite(out.loss)) optimizer.step(order.map((ord) => ord.map((k) => out.grads[k])));
        r.metric(i + 1, 'lr_find_loss', out.ce);
        r.metric(i + 1, 'lr', lr);
        r.progress((i + 1) / iterations, `learning rate ${lr.toExponential(1)}`);
        return out.ce;
      },
      { iterations, signal: r.signal },
    );
  } finally {
    await step.release();
  }
}
