// explain.* through the engine's contract: validated params, jobs with progress/previews/cancel, and
// `done` results that carry PNG bytes with provenance.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdversarialJobResult, CamJobResult, VisualizeJobResult, type JobEvent } from '../../../main/api/contract';
import { Engine } from '../../../main/engine/engine';
import { releaseCamSessions } from '../../../main/techniques/cam/sessions';
import { readProvenance } from '../../../main/techniques/shared/provenance';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome();
let engine: Engine;
const events: JobEvent[] = [];
let model = '';
beforeAll(() => {
  process.env.VISION_STUDIO_HOME = home.dir;
  engine = new Engine({ transport: 'test', emit: (e) => e.channel === 'job' && events.push(e.payload) });
  model = sharedPath('mobilenet_v2_1.0_224.onnx');
});
afterAll(async () => {
  await engine.dispose();
  await releaseCamSessions();
  home.cleanup();
});

const image = (f: string) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(sharedPath('photos', f))) });

describe.skipIf(!sharedModelsDir)('explain.* handlers', () => {
  it('explain.layers lists spatial layers and the suggested one with its reason', async () => {
    const r = await engine.call('explain.layers', { modelId: model });
    expect(r.suggested).toBe('out_relu');
    expect(r.reason).toMatch(/GlobalAveragePool/);
    expect(r.camAvailable).toBe(true);
    expect(r.layers.some((l) => l.tensor === 'out_relu' && l.shape.length === 4)).toBe(true);
  });

  it('explain.cam runs as a job and returns an overlay PNG with provenance; overlay-only changes reuse the map', async () => {
    const { jobId } = await engine.call('explain.cam', { image: image('cat.png'), modelId: model });
    const r = CamJobResult.parse(await engine.services.jobs.wait(jobId));
    expect(r).toMatchObject({ method: 'gradcam', layer: 'out_relu', class: { label: 'Egyptian cat' }, width: 512, height: 341 });
    expect(readProvenance(r.png)).toMatchObject({
      technique: 'cam',
      layer: 'out_relu',
      class: { index: r.class.index },
      parameters: { colormap: 'jet' },
    });
    const second = r.top[1].index;
    const b = CamJobResult.parse(
      await engine.services.jobs.wait(
        (
          await engine.call('explain.cam', {
            image: image('cat.png'),
            modelId: model,
            classIndex: second,
            overlay: { colormap: 'viridis', mode: 'side-by-side' },
          })
        ).jobId,
      ),
    );
    expect(b.class.index).toBe(second);
    expect(readProvenance(b.png)).toMatchObject({ class: { index: second }, parameters: { colormap: 'viridis', mode: 'side-by-side' } });
    expect(events.some((e) => e.jobId === jobId && e.type === 'done')).toBe(true);
    // Same photo, class, method and layer, another overlay: the map is not computed again (the result carries the
    // first computation's own timing, which a second computation would not reproduce to the bit), but the picture
    // is drawn again with the new overlay.
    const again = CamJobResult.parse(
      await engine.services.jobs.wait(
        (await engine.call('explain.cam', { image: image('cat.png'), modelId: model, overlay: { colormap: 'inferno', opacity: 0.8 } }))
          .jobId,
      ),
    );
    expect(again.ms).toBe(r.ms);
    expect(again.class.index).toBe(r.class.index);
    expect(Buffer.compare(Buffer.from(again.png), Buffer.from(r.png))).not.toBe(0);
    expect(readProvenance(again.png)).toMatchObject({ parameters: { colormap: 'inferno', opacity: 0.8 } });
  });

  it('rejects bad parameters at the edge and unknown layers in the job', async () => {
    await expect(engine.call('explain.cam', { image: image('cat.png'), modelId: model, method: 'magic' as never })).rejects.toThrow(
      /method/,
    );
    const { jobId } = await engine.call('explain.cam', { image: image('cat.png'), modelId: model, layer: 'nope' });
    await expect(engine.services.jobs.wait(jobId)).rejects.toThrow(/no tensor named "nope"/);
  });

  it('explain.adversarial returns the adversarial image and the panel', async () => {
    const { jobId } = await engine.call('explain.adversarial', { image: image('bird.png'), modelId: model });
    const r = AdversarialJobResult.parse(await engine.services.jobs.wait(jobId));
    expect(r.success).toBe(true);
    expect(r.original[0].label).toBe('chickadee');
    expect(readProvenance(r.png)).toMatchObject({ technique: 'adversarial', method: 'fgsm' });
    expect(readProvenance(r.panel)).toMatchObject({ technique: 'adversarial' });
  });

  it('explain.visualize streams previews and can be cancelled', async () => {
    const { jobId } = await engine.call('explain.visualize', { modelId: model, classIndex: 131, steps: 6 });
    const r = VisualizeJobResult.parse(await engine.services.jobs.wait(jobId));
    expect(r.class.label).toBe('flamingo');
    expect(events.filter((e) => e.jobId === jobId && e.type === 'preview').length).toBeGreaterThanOrEqual(1);
    const long = await engine.call('explain.visualize', { modelId: model, classIndex: 131, steps: 500 });
    setTimeout(() => engine.call('jobs.cancel', { jobId: long.jobId }), 400);
    await expect(engine.services.jobs.wait(long.jobId)).rejects.toThrow(/cancelled/);
  });
});
