// Our training and the PyTorch peer's, interleaved step by step (bench/train/run.ts), so that the load of this
// shared machine hits both sides alike; each side's time is its own (the peer's is taken out of ours).
import type { Evaluator } from '../../main/train/loop';
import type { TrainStep } from '../../main/train/step-session';
import type { Peer } from './lib-peer';

/**
 * Runs the studio's trainLoop with the peer's training interleaved: before every `chunk`-th of our steps the
 * peer does `chunk` steps of its own epoch, and when our epoch ends (trainLoop calls evaluate) the peer
 * finishes its epoch and evaluates. The peer's time is subtracted from ours. Our steps are timed by
 * trainLoop's reporter (progress() after each: batch, TrainStep.run, optimiser), the peer's by itself.
 */
export class Interleave implements Evaluator {
  readonly ours = { trainMs: [] as number[], evalMs: [] as number[], accuracy: [] as number[], steps: [] as number[] };
  readonly peer = { trainMs: [] as number[], evalMs: [] as number[], accuracy: [] as number[], steps: [] as number[] };
  private mark = performance.now();
  private last = this.mark;
  private excludedStep = 0;
  private excludedEpoch = 0;
  private peerEpochMs = 0;
  private count = 0;
  readonly reporter = {
    progress: () => {
      const t = performance.now();
      this.ours.steps.push(t - this.last - this.excludedStep);
      this.excludedStep = 0;
      this.last = t;
    },
    metric() {},
    throwIfCancelled() {},
  };
  /** What trainLoop is given as its TrainStep: the studio's, with the peer's chunks run before some steps. */
  readonly step: TrainStep;
  constructor(
    private readonly inner: Evaluator,
    step: TrainStep,
    private readonly client: Peer,
    private readonly chunk: number,
    private readonly onEpoch: (epoch: number) => void = () => {},
  ) {
    const run: typeof step.run = async (...args) => {
      if (++this.count % this.chunk === 0) await this.peerSteps(this.chunk);
      return step.run(...args);
    };
    this.step = Object.assign(Object.create(step), { run });
  }
  private async peerSteps(n: number): Promise<void> {
    const t0 = performance.now();
    const r = await this.client.ask<{ ms: number[] }>('steps', { n });
    this.peer.steps.push(...r.ms);
    this.peerEpochMs += r.ms.reduce((a, b) => a + b, 0);
    const dt = performance.now() - t0;
    this.excludedStep += dt;
    this.excludedEpoch += dt;
  }
  start(): void {
    this.mark = this.last = performance.now();
  }
  async evaluate(...a: Parameters<Evaluator['evaluate']>) {
    const t0 = performance.now();
    this.ours.trainMs.push(t0 - this.mark - this.excludedEpoch);
    const ev = await this.inner.evaluate(...a);
    this.ours.evalMs.push(performance.now() - t0);
    this.ours.accuracy.push(ev.accuracy);
    await this.peerSteps(0); // the rest of the peer's epoch
    this.peer.trainMs.push(this.peerEpochMs);
    const v = await this.client.ask('eval');
    this.peer.evalMs.push(v.ms);
    this.peer.accuracy.push(v.acc);
    this.onEpoch(this.ours.trainMs.length);
    this.peerEpochMs = this.excludedEpoch = this.excludedStep = this.count = 0;
    this.mark = this.last = performance.now();
    return ev;
  }
}
