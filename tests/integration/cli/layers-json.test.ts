// `vision-studio layers --json` on the real models: the documented object, --size, totals that the rows add up
// to with --all, and the text listing's totals line.
import { describe, expect, it } from 'vitest';
import { layersCommand } from '../../../main/cli/commands/layers.js';
import { sharedModelsDir, sharedPath, sharedSkipReason } from '../../helpers/shared-models.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

describe.skipIf(!sharedModelsDir)(`layers --json${sharedModelsDir ? '' : ` (${sharedSkipReason})`}`, () => {
  const mobilenet = sharedPath('mobilenet_v2_1.0_224.onnx');

  it('prints {model, input, params, macs, layers} at --size; with --all the rows sum to the totals', async () => {
    const c = capture();
    expect(await layersCommand(['--model', mobilenet, '--size', '160', '--json', '--all'], c.io)).toBe(0);
    const r = JSON.parse(c.out.join(''));
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['model', 'input', 'params', 'macs', 'layers']));
    expect(r.input).toEqual([1, 3, 160, 160]);
    expect(r.params).toBe(3_489_097);
    expect(r.flops).toBe(2 * r.macs);
    for (const l of r.layers)
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['name', 'op', 'shape', 'params', 'macs', 'rf', 'stride']));
    expect(r.layers.reduce((a: number, l: { params: number }) => a + l.params, 0)).toBe(r.params);
    expect(r.layers.reduce((a: number, l: { macs: number }) => a + l.macs, 0)).toBe(r.macs);
    const outRelu = r.layers.find((l: { name: string }) => l.name === 'out_relu');
    expect(outRelu).toMatchObject({ shape: [1, 1280, 5, 5], stride: 32 });
  });

  it('the text listing has params and MACs columns and a totals line; a bad --size is a usage error', async () => {
    const t = capture();
    expect(await layersCommand(['--model', mobilenet], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/^name\s+tensor\s+op\s+shape\s+params\s+MACs\s+rf\s+stride\s+role/);
    expect(text).toMatch(/logits\s+logits\s+Gemm\s+\[1,1001\]\s+1,282,281\s+1,281,280/);
    expect(text).toMatch(
      /total \(whole model, input \[1, 3, 224, 224\]\): 3,489,097 parameters, 300,775,552 MACs \(300\.8 MMACs = 601\.6 MFLOPs\)/,
    );
    const bad = capture();
    expect(await layersCommand(['--model', mobilenet, '--size', 'big'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/--size must be N or HxW/);
    const huge = capture();
    expect(await layersCommand(['--model', mobilenet, '--size', '8000'], huge.io)).toBe(1);
    expect(huge.err.join('')).toMatch(/8000×8000: each side must be a whole number from 1 to 4096/);
  });
});
