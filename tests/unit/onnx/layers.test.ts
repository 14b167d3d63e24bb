// Layer naming on synthetic graphs: VGG-style counting for plain stacks, stage names where branches
// join (Add or Concat), receptive fields and the CAM role.
import { describe, expect, it } from 'vitest';
import { aInts, DT, floatTensor, type Model, type Node } from '../../../main/onnx/ir.js';
import { listLayers, resolveLayer } from '../../../main/onnx/layers.js';
import { node, testModel } from './graphs.js';

const conv = (name: string, x: string, w: string, y: string, k = 3, s = 1) =>
  node(name, 'Conv', [x, w], [y], { kernel_shape: aInts([k, k]), strides: aInts([s, s]), pads: aInts(new Array(4).fill((k - 1) >> 1)) });

function model(nodes: Node[], weights: [string, number[]][], out: string): Model {
  return testModel({
    name: 'g',
    nodes,
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: ['N', 3, 'H', 'W'] }],
    outputs: [{ name: out, elemType: DT.FLOAT }],
    initializers: new Map(weights.map(([n, d]) => [n, floatTensor(n, d, new Array(d.reduce((a, b) => a * b, 1)).fill(0.1))])),
  });
}

describe('layer naming', () => {
  it('counts a plain stack the VGG way; a pool or a strided conv starts the next block', () => {
    const m = model(
      [
        conv('c1', 'x', 'w1', 'a'),
        node('r1', 'Relu', ['a'], ['b']),
        conv('c2', 'b', 'w2', 'c'),
        node('r2', 'Relu', ['c'], ['d']),
        node('p1', 'MaxPool', ['d'], ['e'], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) }),
        conv('c3', 'e', 'w3', 'f'),
        node('r3', 'Relu', ['f'], ['g']),
        conv('c4', 'g', 'w4', 'h', 3, 2),
        node('r4', 'Relu', ['h'], ['i']),
        node('gap', 'GlobalAveragePool', ['i'], ['j']),
      ],
      [
        ['w1', [4, 3, 3, 3]],
        ['w2', [4, 4, 3, 3]],
        ['w3', [8, 4, 3, 3]],
        ['w4', [8, 8, 3, 3]],
      ],
      'j',
    );
    const layers = listLayers(m, [32, 32]);
    const byName = Object.fromEntries(layers.map((l) => [l.name, l]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['conv1_1', 'relu1_1', 'conv1_2', 'relu1_2', 'pool1', 'conv2_1', 'relu2_1', 'conv3_1', 'relu3_1', 'gap']),
    );
    expect(byName.relu1_2.receptiveField).toBe(5);
    expect(byName.relu2_1.receptiveField).toBe(10);
    expect(byName.relu2_1.stride).toBe(2);
    expect(byName.conv3_1.shape).toEqual([1, 8, 8, 8]);
    expect(byName.relu3_1.roles).toContain('cam');
    expect(byName.relu1_1.roles).toContain('style');
    expect(resolveLayer(layers, 'relu2_1')!.tensor).toBe('g');
    expect(resolveLayer(layers, 'g')!.name).toBe('relu2_1');
  });

  it('names the last join of each resolution stage{n} when branches meet in a Concat', () => {
    const m = model(
      [
        conv('stem', 'x', 'w0', 's'),
        node('rs', 'Relu', ['s'], ['t']),
        conv('b1', 't', 'w1', 'u', 1),
        conv('b2', 't', 'w2', 'v'),
        node('cat1', 'Concat', ['u', 'v'], ['cat'], { axis: { type: 'int', value: 1 } }),
        node('p', 'MaxPool', ['cat'], ['q'], { kernel_shape: aInts([2, 2]), strides: aInts([2, 2]) }),
        conv('b3', 'q', 'w3', 'y1', 1),
        conv('b4', 'q', 'w4', 'y2'),
        node('cat2', 'Concat', ['y1', 'y2'], ['z'], { axis: { type: 'int', value: 1 } }),
      ],
      [
        ['w0', [4, 3, 3, 3]],
        ['w1', [2, 4, 1, 1]],
        ['w2', [2, 4, 3, 3]],
        ['w3', [3, 4, 1, 1]],
        ['w4', [3, 4, 3, 3]],
      ],
      'z',
    );
    const names = listLayers(m, [16, 16]).filter((l) => l.name !== l.tensor);
    expect(names.map((l) => [l.name, l.tensor])).toEqual([
      ['stage1', 'cat'],
      ['stage2', 'z'],
    ]);
  });
});
