// The grad and layers commands on the real models: the JSON contract, the .npy output, .npy input,
// exactness of the objectives (checked against taps of a plain forward pass) and usage errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradCommand } from '../../../main/cli/commands/grad.js';
import { layersCommand } from '../../../main/cli/commands/layers.js';
import { decodeNpy, encodeNpy } from '../../../main/util/npy.js';
import { GradRunner } from '../../../main/onnx/runner.js';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../../helpers/shared-models.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-grad-cli-'));
const runner = new GradRunner({ threads: 2 });
afterAll(async () => {
  await runner.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!sharedModelsDir)(`grad / layers CLI${sharedModelsDir ? '' : ` (${sharedSkipReason})`}`, () => {
  const darknet = sharedPath('tiny_darknet_224.onnx');
  const mobilenet = sharedPath('mobilenet_v2_1.0_224.onnx');

  it('layers lists VGG-style names with shapes, receptive fields and roles', async () => {
    const c = capture();
    expect(await layersCommand(['--model', darknet, '--json'], c.io)).toBe(0);
    const { layers } = JSON.parse(c.out.join(''));
    const byName = Object.fromEntries(layers.map((l: { name: string }) => [l.name, l]));
    expect(byName.conv1_1.tensor).toBe('conv2d_1');
    expect(byName.relu1_1.tensor).toBe('leaky_re_lu_1');
    expect(byName.pool1.tensor).toBe('max_pooling2d_1');
    expect(byName.relu4_2.tensor).toBe('leaky_re_lu_8');
    expect(byName.relu4_2.shape).toEqual([1, 256, 28, 28]);
    expect(byName.relu1_1.rf).toBe(3);
    expect(byName.relu4_2.roles).toContain('content');
    expect(byName.relu1_1.roles).toContain('style');
    const cam = layers.find((l: { roles: string[] }) => l.roles.includes('cam'));
    expect(cam.shape.slice(2)).toEqual([14, 14]);
    const t = capture();
    expect(await layersCommand(['--model', mobilenet], t.io)).toBe(0);
    expect(t.out.join('\n')).toMatch(/layer\d\s+block_\d+_add/);
    expect(t.out.join('\n')).toMatch(/out_relu.*cam/);
  });

  it('grad --json prints {loss, grad_norm, shape, out} and writes a float32 NCHW .npy', async () => {
    const out = path.join(tmp, 'g.npy');
    const c = capture();
    const code = await gradCommand(
      [
        '--model',
        darknet,
        '--objective',
        'sumsq:relu3_2',
        '--image',
        sharedPath('photos', 'bird.png'),
        '--size',
        '96',
        '--out',
        out,
        '--json',
      ],
      c.io,
    );
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(Object.keys(j).sort()).toEqual(['grad_norm', 'loss', 'out', 'shape']);
    expect(j.shape).toEqual([1, 3, 96, 96]);
    expect(j.out).toBe(out);
    const g = decodeNpy(fs.readFileSync(out));
    expect(g.shape).toEqual([1, 3, 96, 96]);
    expect(Math.sqrt(g.data.reduce((s, v) => s + v * v, 0))).toBeCloseTo(j.grad_norm, 0);
  });

  it('objectives are exact: channel and class values equal the forward pass (float64 summed), .npy input used as is', async () => {
    const x = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => ((i * 7919) % 255) / 255);
    const npy = path.join(tmp, 'x.npy');
    fs.writeFileSync(npy, encodeNpy({ data: x, shape: [1, 3, 64, 64] }));
    const taps = await runner.taps(mobilenet, ['block_5_add', 'logits'], x, [1, 3, 64, 64]);
    const c1 = capture();
    expect(await gradCommand(['--model', mobilenet, '--objective', 'channel:layer2:5', '--image', npy, '--json'], c1.io)).toBe(0);
    const t = taps.block_5_add;
    const plane = t.dims[2] * t.dims[3];
    let want = 0;
    for (let i = 0; i < plane; i++) want += t.data[5 * plane + i] ** 2;
    expect(JSON.parse(c1.out[0]).loss).toBeCloseTo(want, 2);
    const c2 = capture();
    expect(await gradCommand(['--model', mobilenet, '--objective', 'class:409', '--image', npy, '--json'], c2.io)).toBe(0);
    expect(JSON.parse(c2.out[0]).loss).toBeCloseTo(taps.logits.data[409], 4);
  });

  it('grad --exact gives the same gradient through direct convolutions', async () => {
    const files = ['fast.npy', 'exact.npy'].map((f) => path.join(tmp, f));
    const base = ['--model', darknet, '--objective', 'sumsq:relu4_2', '--image', sharedPath('photos', 'cat.png'), '--size', '128'];
    const fast = capture();
    expect(await gradCommand([...base, '--out', files[0], '--json'], fast.io)).toBe(0);
    const exact = capture();
    expect(await gradCommand([...base, '--exact', '--out', files[1], '--json'], exact.io)).toBe(0);
    const [a, b] = files.map((f) => decodeNpy(fs.readFileSync(f)).data);
    let dot = 0,
      na = 0,
      nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.9999);
    const [lf, le] = [fast, exact].map((c) => JSON.parse(c.out.join('')).loss as number);
    expect(Math.abs(lf - le) / Math.abs(le)).toBeLessThan(1e-4);
  });

  it('usage and model errors give exit codes 2 and 1 with a message on stderr', async () => {
    const a = capture();
    expect(await gradCommand(['--model', darknet, '--objective', 'sumsq:nope', '--image', 'x.png'], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/no layer or tensor "nope"/);
    const b = capture();
    expect(await gradCommand(['--model', darknet, '--objective', 'median:relu1_1', '--image', 'x.png'], b.io)).toBe(2);
    const c = capture();
    expect(await gradCommand(['--model', path.join(tmp, 'missing.onnx'), '--objective', 'class:1', '--image', 'x.png'], c.io)).toBe(1);
    const d = capture();
    expect(await gradCommand(['--model', darknet], d.io)).toBe(2);
  });
});
