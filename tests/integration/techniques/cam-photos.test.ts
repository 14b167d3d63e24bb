// CAM family on the real models and photos: the hottest point for the top-1 class lies on the object
// (boxes labelled by hand on the 512-px-wide photos), CAM from the classifier weights equals Grad-CAM
// up to scale on these GAP nets, and the CLI prints its documented JSON and writes provenance.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../main/api/contract';
import { runCli } from '../../../main/cli/main';
import { loadLabels } from '../../../main/models/labels';
import { ModelRegistry } from '../../../main/models/registry';
import { computeCam } from '../../../main/techniques/cam/cam';
import { correlation, type CamMethod } from '../../../main/techniques/cam/methods';
import { releaseCamSessions } from '../../../main/techniques/cam/sessions';
import { readProvenance } from '../../../main/techniques/shared/provenance';
import { decodeNpy } from '../../../main/util/npy';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

/** [x0, y0, x1, y1] around the object of the top-1 class, in the photo's pixels (labelled by eye). */
const BOXES: Record<string, Record<string, [number, number, number, number]>> = {
  'bird.png': { chickadee: [30, 70, 490, 320] },
  'cat.png': { 'Egyptian cat': [45, 35, 365, 341] },
  'dragonfly.png': { dragonfly: [140, 0, 512, 390] },
  // MobileNetV2 says "military uniform" (the jacket), Tiny Darknet "bow tie" (the tie and collar).
  'grace_hopper.png': { 'military uniform': [20, 310, 512, 600], 'bow tie': [170, 320, 340, 500] },
  'sunflower.png': { daisy: [60, 15, 425, 330] },
};
const MODELS = ['mobilenet_v2_1.0_224', 'tiny_darknet_224'];

const home = makeTempHome();
const registry = new ModelRegistry({ root: path.join(home.dir, 'models') });
const metas = new Map<string, ModelMeta>();
beforeAll(async () => {
  process.env.VISION_STUDIO_HOME = home.dir;
  if (!sharedModelsDir) return;
  for (const id of MODELS) metas.set(id, await registry.resolveAsync(sharedPath(`${id}.onnx`)));
});
afterAll(async () => {
  await releaseCamSessions();
  home.cleanup();
});

const photo = (f: string) => new Uint8Array(fs.readFileSync(sharedPath('photos', f)));
const inside = (p: { x: number; y: number }, b: number[]) => p.x >= b[0] && p.x <= b[2] && p.y >= b[1] && p.y <= b[3];

describe.skipIf(!sharedModelsDir)('CAM family on the shared photos', () => {
  for (const id of MODELS) {
    it(`${id}: CAM and Grad-CAM peaks for the top-1 fall inside the hand-labelled boxes`, async () => {
      const meta = metas.get(id)!;
      const labels = loadLabels(meta.labels);
      for (const file of Object.keys(BOXES)) {
        for (const method of ['cam', 'gradcam'] as CamMethod[]) {
          const r = await computeCam(meta, labels, file, photo(file), { method });
          const box = BOXES[file][r.class.label.split(',')[0]];
          expect(box, `${id} ${file}: unexpected top-1 ${r.class.label}`).toBeDefined();
          expect(inside(r.peak, box), `${id} ${method} ${file}: peak (${r.peak.x}, ${r.peak.y}) outside ${box}`).toBe(true);
          expect(r.full.length).toBe(r.image.width * r.image.height);
        }
      }
    });

    // The boxes are large because the objects are (a peak at the photo's centre would land in 4 of 5): what a
    // class-agnostic or centre-biased map cannot do is move with the class. On Grace Hopper's portrait,
    // MobileNetV2's "cowboy hat" map peaks on the cap (measured y = 0, top edge of the cap's window) and
    // "military uniform" on the jacket (y = 385).
    if (id === 'mobilenet_v2_1.0_224')
      it(`${id}: the map moves with the class (hat on the cap, uniform on the jacket)`, async () => {
        const meta = metas.get(id)!;
        const labels = loadLabels(meta.labels);
        const index = (name: string) => labels.findIndex((l) => l.split(',')[0] === name);
        for (const method of ['cam', 'gradcam'] as CamMethod[]) {
          const at = async (name: string) =>
            (await computeCam(meta, labels, 'grace_hopper.png', photo('grace_hopper.png'), { method, classIndex: index(name) })).peak;
          const hat = await at('cowboy hat');
          const uniform = await at('military uniform');
          expect(hat.y, `${method} cowboy hat`).toBeLessThan(150);
          expect(uniform.y, `${method} military uniform`).toBeGreaterThan(330);
          expect(Math.hypot(hat.x - uniform.x, hat.y - uniform.y)).toBeGreaterThan(200);
        }
      });

    it(`${id}: CAM from the classifier weights equals Grad-CAM up to scale`, async () => {
      const meta = metas.get(id)!;
      const labels = loadLabels(meta.labels);
      for (const file of ['cat.png', 'bird.png']) {
        for (const classIndex of [undefined, 7]) {
          const cam = await computeCam(meta, labels, file, photo(file), { method: 'cam', classIndex });
          const grad = await computeCam(meta, labels, file, photo(file), { method: 'gradcam', classIndex });
          expect(cam.layer).toBe(grad.layer);
          expect(correlation(cam.raw, grad.raw)).toBeGreaterThan(0.99);
          // Grad-CAM weights are the classifier row divided by h·w (the GAP).
          const ratio = grad.raw[0] / cam.raw[0];
          expect(ratio).toBeCloseTo(1 / (cam.mapWidth * cam.mapHeight), 4);
        }
      }
    });
  }

  it('suggests the documented target layers with a reason', async () => {
    const m = await computeCam(metas.get('mobilenet_v2_1.0_224')!, [], 'cat.png', photo('cat.png'), { method: 'gradcam' });
    expect(m.layer).toBe('out_relu');
    expect(m.layerReason).toMatch(/GlobalAveragePool/);
    const d = await computeCam(metas.get('tiny_darknet_224')!, [], 'cat.png', photo('cat.png'), { method: 'gradcam' });
    expect(d.layer).toBe('leaky_re_lu_15');
    expect(d.layerReason).toMatch(/conv2d_16.*linear per pixel/);
  });

  it('Grad-CAM++, HiResCAM and Score-CAM give finite maps peaking on the bird; a hand-picked layer works', async () => {
    const meta = metas.get('tiny_darknet_224')!;
    for (const method of ['gradcam++', 'hirescam', 'scorecam'] as CamMethod[]) {
      const r = await computeCam(meta, [], 'bird.png', photo('bird.png'), { method, batchSize: 32 });
      expect(r.map.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      expect(inside(r.peak, BOXES['bird.png'].chickadee), `${method} peak ${r.peak.x},${r.peak.y}`).toBe(true);
    }
    const early = await computeCam(meta, [], 'bird.png', photo('bird.png'), { method: 'gradcam', layer: 'leaky_re_lu_12' });
    expect([early.layer, early.layerReason, early.mapWidth]).toEqual(['leaky_re_lu_12', 'chosen by hand', 14]);
    await expect(computeCam(meta, [], 'bird.png', photo('bird.png'), { method: 'cam', layer: 'leaky_re_lu_12' })).rejects.toThrow(
      /plain CAM needs/,
    );
    await expect(computeCam(meta, [], 'bird.png', photo('bird.png'), { method: 'gradcam', layer: 'nope' })).rejects.toThrow(
      /no tensor named "nope"/,
    );
  });

  it('aug and eigen smoothing keep the peak on the object and stay close to the plain map', async () => {
    const meta = metas.get('mobilenet_v2_1.0_224')!;
    const plain = await computeCam(meta, [], 'cat.png', photo('cat.png'), { method: 'gradcam' });
    for (const smooth of [{ augSmooth: true }, { eigenSmooth: true }, { augSmooth: true, eigenSmooth: true }]) {
      const r = await computeCam(meta, [], 'cat.png', photo('cat.png'), { method: 'gradcam', ...smooth });
      expect(r.map.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      expect(inside(r.peak, BOXES['cat.png']['Egyptian cat']), `${JSON.stringify(smooth)} peak ${r.peak.x},${r.peak.y}`).toBe(true);
      expect(correlation(r.map, plain.map)).toBeGreaterThan(0.6);
    }
  });

  it('vision-studio cam --json prints the documented shape and writes a PNG with provenance', async () => {
    const out = path.join(os.tmpdir(), `vs-cam-${process.pid}.png`);
    const lines: string[] = [];
    const code = await runCli(
      [
        'cam',
        '--image',
        sharedPath('photos', 'cat.png'),
        '--model',
        sharedPath('mobilenet_v2_1.0_224.onnx'),
        '--method',
        'gradcam',
        '--out',
        out,
        '--json',
      ],
      { out: (s) => lines.push(s), err: (s) => lines.push(s) },
    );
    expect(code).toBe(0);
    const j = JSON.parse(lines.join('\n'));
    expect(Object.keys(j)).toEqual(['file', 'method', 'layer', 'class', 'peak', 'out', 'raw']);
    expect(Object.keys(j.class)).toEqual(['index', 'label', 'probability']);
    expect(j).toMatchObject({ method: 'gradcam', layer: 'out_relu', class: { label: 'Egyptian cat' }, out });
    expect(inside(j.peak, BOXES['cat.png']['Egyptian cat'])).toBe(true);
    const prov = readProvenance(fs.readFileSync(out))!;
    expect(prov).toMatchObject({
      technique: 'cam',
      method: 'gradcam',
      layer: 'out_relu',
      class: { index: j.class.index },
      modelSha256: '84c994e54b44ad11e73199ff9659962a49dbbf7439a9e65ed55fe6a9b1681949',
    });
    fs.rmSync(out, { force: true });
    const bad = await runCli(['cam', '--image', 'x.png', '--method', 'nope', '--out', out], { out: () => undefined, err: () => undefined });
    expect(bad).toBe(2);
  });

  it('vision-studio cam --raw writes the map as .npy (peak where the JSON says); --no-caption --no-colorbar draw neither', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-cam-raw-'));
    const run = async (...extra: string[]) => {
      const lines: string[] = [];
      const out = path.join(dir, `${extra.length}.png`);
      const args = ['cam', '--image', sharedPath('photos', 'cat.png'), '--model', sharedPath('mobilenet_v2_1.0_224.onnx'), '--out', out];
      const code = await runCli([...args, '--json', ...extra], { out: (s) => lines.push(s), err: (s) => lines.push(s) });
      expect(code, lines.join('\n')).toBe(0);
      return { j: JSON.parse(lines.join('\n')), png: await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true }) };
    };
    const raw = path.join(dir, 'map.npy');
    const a = await run('--raw', raw);
    expect(a.j.raw).toBe(raw);
    const map = decodeNpy(new Uint8Array(fs.readFileSync(raw)));
    expect(map.shape).toEqual([341, 512]);
    let best = 0;
    for (let i = 1; i < map.data.length; i++) if (map.data[i] > map.data[best] || Number.isNaN(map.data[best])) best = i;
    expect({ x: best % 512, y: Math.floor(best / 512) }).toEqual(a.j.peak);
    // Caption and colour bar are drawn over the picture: leaving them off changes those pixels, not the size.
    const plain = await run('--no-caption', '--no-colorbar');
    expect([plain.png.info.width, plain.png.info.height]).toEqual([a.png.info.width, a.png.info.height]);
    let differ = 0;
    for (let i = 0; i < plain.png.data.length; i++) if (plain.png.data[i] !== a.png.data[i]) differ++;
    expect(differ).toBeGreaterThan(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
