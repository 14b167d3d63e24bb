// graph.* through the engine's contract on the real MobileNetV2: the description at a chosen size, weight
// statistics for a node's panel, and clear refusals (too large an input, a tensor that is not a weight).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphDescription, WeightStats } from '../../../main/api/contract';
import { Engine } from '../../../main/engine/engine';
import { loadModel } from '../../../main/onnx/proto';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome();
let engine: Engine;
let model = '';
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
  engine = new Engine({ transport: 'test', emit: () => {} });
  model = sharedPath('mobilenet_v2_1.0_224.onnx');
});
afterAll(async () => {
  await engine.dispose();
  home.cleanup();
});

describe.skipIf(!sharedModelsDir)('graph.* handlers', () => {
  it('graph.describe returns every node and edge with shapes at the chosen size, and the totals', async () => {
    const d = GraphDescription.parse(await engine.call('graph.describe', { modelId: model, size: [192, 192] }));
    expect(d.input).toEqual([1, 3, 192, 192]);
    expect(d.params).toBe(3_489_097);
    expect(d.nodes).toHaveLength(100);
    expect(d.edges.every((e) => e.shape !== null)).toBe(true);
    expect(d.edges.find((e) => e.from === 'input')!.shape).toEqual([1, 3, 192, 192]);
    expect(d.layers.map((l) => l.name).slice(0, 5)).toEqual(['stem', 'layer1', 'layer2', 'layer3', 'layer4']);
    const first = d.nodes[0];
    expect(first).toMatchObject({ op: 'Conv', shape: [1, 32, 96, 96], rf: { rf: 3, stride: 2 } });
    expect(first.conv).toMatchObject({ kernel: [3, 3], strides: [2, 2], inSize: [192, 192], outSize: [96, 96] });
    const native = await engine.call('graph.describe', { modelId: model });
    expect(native.input).toEqual([1, 3, 224, 224]);
    expect(native.macs).toBe(300_775_552);
  });

  it('graph.weights summarises a conv weight the way the values say', async () => {
    const d = await engine.call('graph.describe', { modelId: model });
    const wName = d.nodes[0].weights[0].name;
    const s = WeightStats.parse(await engine.call('graph.weights', { modelId: model, tensor: wName, bins: 16 }));
    const t = loadModel(model).graph.initializers.get(wName)!;
    const vals = Array.from(t.data as Float32Array);
    expect(s.shape).toEqual([32, 3, 3, 3]);
    expect(s.count).toBe(vals.length);
    expect(s.min).toBe(Math.min(...vals));
    expect(s.max).toBe(Math.max(...vals));
    expect(s.mean).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / vals.length, 10);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(vals.length);
    expect(s.histogram.edges).toHaveLength(17);
  });

  it('refuses a 5000 px side and a tensor that is not a weight, saying why', async () => {
    await expect(engine.call('graph.describe', { modelId: model, size: [5000, 5000] })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/1 to 4096 pixels/),
    });
    await expect(engine.call('graph.weights', { modelId: model, tensor: 'out_relu' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/"out_relu" is not a stored weight/),
    });
  });
});
