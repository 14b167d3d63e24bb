// The studio's own networks train, evaluate and export as graphs made only of ops that ONNX Runtime's CPU, CUDA
// and DirectML providers all implement (PROVIDER_OPS, listed in docs/architecture.md), so the provider chosen at
// run time runs them whole. Every architecture and head is built with every training knob that adds ops.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEvalGraph } from '../../../main/train/graph/eval-graph';
import { exportInference } from '../../../main/train/graph/export';
import { parameterNames } from '../../../main/train/graph/prepare';
import { opsOutsideProviders, PROVIDER_OPS } from '../../../main/train/graph/provider-ops';
import { buildTrainGraph } from '../../../main/train/graph/train-graph';
import { ARCHITECTURES } from '../../../main/train/models/arch';
import { buildHead } from '../../../main/train/models/head';
import type { Model } from '../../../main/onnx/ir';

function graphsOf(forward: Model): [string, Model][] {
  const trainable = parameterNames(forward);
  const weights = new Map<string, Float32Array>();
  for (const [k, t] of forward.graph.initializers) if (t.data instanceof Float32Array) weights.set(k, t.data.slice());
  return [
    ['train', buildTrainGraph(forward, { trainable, l1: 1e-4, l2: 1e-4, labelSmoothing: 0.1, dropoutSeedable: true }).model],
    ['eval', buildEvalGraph(forward, trainable).model],
    ['export', exportInference(forward, weights)],
  ];
}

const NETWORKS: [string, () => Model][] = [
  ['LeNet-5 28 px grey', () => ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, dropout: 0.5, seed: 1 })],
  ...(['lenet5', 'vgg-small', 'resnet20'] as const).map(
    (a) =>
      [`${a} 32 px RGB`, () => ARCHITECTURES[a].build({ channels: 3, size: 32, classes: 5, dropout: 0.5, seed: 1 })] as [
        string,
        () => Model,
      ],
  ),
  ['linear head', () => buildHead({ dim: 1280, classes: 3, kind: 'linear', seed: 1 })],
  ['MLP head with dropout', () => buildHead({ dim: 1280, classes: 3, kind: 'mlp', dropout: 0.5, seed: 1 })],
];

describe('training graphs use only ops every execution provider implements', () => {
  for (const [name, build] of NETWORKS)
    it(name, () => {
      for (const [kind, m] of graphsOf(build())) expect(opsOutsideProviders(m), `${name}, ${kind} graph`).toEqual([]);
    });

  it('an op outside the list is named', () => {
    const m = ARCHITECTURES.lenet5.build({ channels: 1, size: 28, classes: 10, seed: 1 });
    m.graph.nodes.push({ name: 'x', opType: 'ScatterElements', domain: '', inputs: [], outputs: [], attrs: {} });
    expect(opsOutsideProviders(m)).toEqual(['ScatterElements']);
  });

  it('docs/architecture.md lists exactly these ops', () => {
    const doc = fs.readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const listed = /CPU, CUDA and DirectML providers: ([A-Za-z, ]+)\./.exec(doc)?.[1].split(', ');
    expect(listed).toEqual([...PROVIDER_OPS].sort());
  });
});
