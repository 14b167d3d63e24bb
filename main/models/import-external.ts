// Importing a model whose weights live in external data files: they are copied beside the imported copy, in a folder
// of its own, and the copy is pointed at them (the registry's import calls this before inspecting the model).
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../api/contract';
import { externalDataFiles, relocateExternalData, resolveExternal } from '../onnx/proto';
import type { ImportSource } from './registry';
import { copyRegularFile, isRegularFile, MAX_EXTERNAL_BYTES } from './safe-read';

/**
 * A model that keeps weights in external data files: copies each file (a regular file inside the model's own
 * folder, as loading requires) to `<id>.data/` beside the imported copy and points the copy there, so two imports
 * naming the same file (model.onnx.data) never share it. `dir` is made only when there are files to copy.
 */
export async function copyExternalData(src: ImportSource, tmp: string, id: string, dir: string): Promise<void> {
  let locations: string[];
  try {
    locations = externalDataFiles(fs.readFileSync(tmp));
  } catch {
    return; // not a readable model: inspectModel says so, naming the file
  }
  if (locations.length === 0) return;
  const name = 'path' in src ? src.path : src.name;
  if (!('path' in src))
    throw new StudioError(
      'bad_model',
      `${name} keeps its weights in external data files (${locations.join(', ')}); import it from its folder so they come along`,
    );
  fs.mkdirSync(dir, { recursive: true });
  const moved = new Map<string, string>();
  for (const [i, loc] of locations.entries()) {
    let from: string;
    try {
      from = resolveExternal(path.dirname(path.resolve(src.path)), loc, loc);
    } catch (e) {
      throw new StudioError('bad_model', `${name}: ${(e as Error).message.replace(/^tensor "[^"]*" /, '')}`);
    }
    if (!isRegularFile(from)) throw new StudioError('bad_model', `${name}: its external data file ${loc} is missing or not a regular file`);
    // Flat names in the copy (a location may have folders): the index keeps them apart.
    const to = `${i}-${path.basename(loc)}`;
    await copyRegularFile(from, path.join(dir, to), { maxBytes: MAX_EXTERNAL_BYTES, what: from, code: 'bad_model' });
    moved.set(loc, `${id}.data/${to}`);
  }
  fs.writeFileSync(
    tmp,
    relocateExternalData(fs.readFileSync(tmp), (loc) => moved.get(loc) ?? loc),
  );
}
