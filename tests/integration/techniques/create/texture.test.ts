// Texture synthesis on Tiny Darknet (plain conv/pool stack, VGG's stand-in): the Gram loss falls at least
// 100× from its noise start (average pooling, as Gatys et al. recommend: with max pooling it plateaus near
// 20–40× in the same budget), the output size is independent of the sample's, previews and metrics flow.
import { afterAll, describe, expect, it } from 'vitest';
import { releaseRunner } from '../../../../main/techniques/create-shared/net';
import { TextureParams } from '../../../../main/techniques/create-shared/params';
import { texture } from '../../../../main/techniques/texture/texture';
import { sharedModelsDir } from '../../../helpers/shared-models';
import { darknet, home, photo, pixels, recorder } from './helpers';

afterAll(async () => {
  await releaseRunner();
  home.cleanup();
});

describe.skipIf(!sharedModelsDir)('texture synthesis (Tiny Darknet)', () => {
  it('lowers the Gram loss ≥ 100× from noise with L-BFGS, at an output size unlike the sample', async () => {
    const rec = recorder();
    const p = TextureParams.parse({
      modelId: 'x',
      sample: photo('sunflower.png'),
      size: 96,
      sampleSize: 96,
      width: 112,
      height: 96,
      steps: 80,
      avgPool: true,
      previewEvery: 20,
    });
    const r = await texture(await darknet(), p, rec.r);
    console.log(
      `texture: ${r.steps} steps, Gram loss ${r.lossStart.toExponential(3)} → ${r.lossEnd.toExponential(3)} (${(r.lossStart / r.lossEnd).toFixed(0)}×) in ${r.ms} ms`,
    );
    expect(r.lossStart / r.lossEnd).toBeGreaterThanOrEqual(100);
    expect(r.layers).toEqual(['conv1_1', 'pool1', 'pool2', 'pool3', 'pool4']);
    const px = await pixels(r.bytes);
    expect([px.width, px.height]).toEqual([112, 96]);
    expect(rec.previews.length).toBeGreaterThanOrEqual(3);
    expect(rec.metrics.filter((m) => m.name === 'loss').length).toBe(81);
    expect(rec.progress.at(-1)).toBe(1);
  }, 60_000);
});
