// The activation explorer on token and channels-last layers: a plane is one channel, as dream, style and CAM see
// the layer. Swin-like channels-last maps ([1, H, W, C]) and ViT-like token sequences ([1, T, C] on the patch grid)
// list with their channel counts, and their fetched values rearranged in JS equal the graph's own NCHW view
// (addMapView run by ONNX Runtime). Treating them as NCHW (the old behaviour) fails both checks.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { explorerLayers } from '../../../main/activations/layers';
import { asPlanes } from '../../../main/activations/map-layout';
import { addMapView, mapTensor } from '../../../main/onnx/map-view';
import { cloneModel, type Model } from '../../../main/onnx/ir';
import { encodeModel } from '../../../main/onnx/proto';
import { tinySwin, tinyVit } from '../../helpers/transformer-graphs';
import { value } from '../onnx/graphs';

async function run(m: Model, outputs: string[]): Promise<Record<string, ort.Tensor>> {
  const g = cloneModel(m);
  g.graph.outputs = outputs.map((o) => value(o));
  const s = await ort.InferenceSession.create(encodeModel(g), { intraOpNumThreads: 1 });
  const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.37));
  const out = await s.run({ [g.graph.inputs[0].name]: new ort.Tensor('float32', x, [1, 3, 32, 32]) });
  await s.release();
  return out;
}

describe('activation explorer views', () => {
  for (const [name, make] of [
    ['Swin-like channels-last maps', () => tinySwin()],
    ['ViT-like token sequences', () => tinyVit()],
  ] as const)
    it(`${name}: listed by their channels, rearranged as the graph's NCHW view`, async () => {
      const t = make();
      const layers = explorerLayers(t.model, [32, 32], 'all');
      const viewed = layers.filter((l) => l.view && t.blockOutputs.includes(l.tensor));
      expect(viewed.length).toBeGreaterThan(0);
      const m = cloneModel(t.model);
      for (const l of viewed) {
        expect([l.channels, l.height, l.width]).toEqual(l.view!.shape.slice(1));
        addMapView(m.graph, l.view!, mapTensor(l.tensor), `chk${viewed.indexOf(l)}`);
      }
      const out = await run(m, [...viewed.map((l) => l.tensor), ...viewed.map((l) => mapTensor(l.tensor))]);
      for (const l of viewed) {
        const raw = out[l.tensor];
        const planes = asPlanes(l.view, raw.data as Float32Array, raw.dims);
        const want = out[mapTensor(l.tensor)];
        expect([1, planes.channels, planes.height, planes.width]).toEqual(want.dims);
        expect(Array.from(planes.data)).toEqual(Array.from(want.data as Float32Array));
        // Read as NCHW, the raw values are not the channel planes.
        expect(Array.from(asPlanes(undefined, raw.data as Float32Array, raw.dims).data)).not.toEqual(Array.from(want.data as Float32Array));
      }
    });
});
