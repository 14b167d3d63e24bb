// Importing a model that keeps its weights in external data files (the only way past protobuf's 2 GiB): the files
// come along into the studio's folder, each import with its own copy (two models both naming model.onnx.data keep
// their own weights), the import survives the source folder being deleted, and removing the model removes them.
// Files outside the model's folder, missing data and uploads without their data are refused, leaving nothing behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract';
import { ModelRegistry } from '../../../main/models/registry';
import { loadModel } from '../../../main/onnx/proto';
import { externalWeights } from '../../hostile/onnx-builder';
import { makeTempHome } from '../../helpers/temp-home';

const home = makeTempHome('vs-import-external-');
afterAll(() => home.cleanup());
let n = 0;
let root: string;
let reg: ModelRegistry;
beforeEach(() => {
  root = path.join(home.dir, `case${++n}`);
  fs.mkdirSync(root, { recursive: true });
  reg = new ModelRegistry({ root: path.join(root, 'models'), extraDirs: [], catalog: [] });
});

/** A folder holding <stem>.onnx whose 3×3 weight lives in `location` (written with `values` unless told not to). */
function modelWithData(folder: string, stem: string, location: string, values: number[] | null): string {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stem}.onnx`);
  fs.writeFileSync(file, externalWeights({ location }));
  if (values) fs.writeFileSync(path.join(dir, location), Buffer.from(Float32Array.from(values).buffer));
  return file;
}
const weightOf = (file: string) => Array.from(loadModel(file).graph.initializers.get('w')!.data as Float32Array);
const importedFiles = () => fs.readdirSync(path.join(root, 'models', 'imported')).filter((f) => !f.startsWith('.'));

describe('importing a model with external data', () => {
  it('copies each model its own data, survives the source folder going, and removes it with the model', async () => {
    const a = await reg.import({ path: modelWithData('a', 'model', 'model.onnx.data', [1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    const b = await reg.import({ path: modelWithData('b', 'model', 'model.onnx.data', [9, 8, 7, 6, 5, 4, 3, 2, 1]) });
    expect(a.id).not.toBe(b.id);
    fs.rmSync(path.join(root, 'a'), { recursive: true });
    fs.rmSync(path.join(root, 'b'), { recursive: true });
    expect(reg.get(a.id).status).toBe('available');
    expect(weightOf(reg.get(a.id).path!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(weightOf(reg.get(b.id).path!)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(importedFiles()).toContain(`${a.id}.data`);
    await reg.remove(a.id);
    expect(importedFiles()).not.toContain(`${a.id}.data`);
    expect(weightOf(reg.get(b.id).path!)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  for (const [what, make, message] of [
    [
      'data outside the model folder',
      () => ({ path: modelWithData('c', 'evil', '../secret.bin', null) }),
      /resolves outside the model folder/,
    ],
    ['missing data', () => ({ path: modelWithData('d', 'gone', 'gone.bin', null) }), /external data file gone\.bin is missing/],
    [
      'an upload without its data',
      () => ({ name: 'up.onnx', bytes: externalWeights({ location: 'up.bin' }) }),
      /up\.onnx keeps its weights in external data files \(up\.bin\); import it from its folder/,
    ],
  ] as const)
    it(`refuses ${what} and leaves nothing behind`, async () => {
      fs.writeFileSync(path.join(root, 'secret.bin'), Buffer.alloc(36));
      const e = await reg.import(make()).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(StudioError);
      expect((e as StudioError).message).toMatch(message);
      expect(importedFiles()).toEqual([]);
      expect(reg.list().filter((m) => m.source === 'imported')).toEqual([]);
    });
});
