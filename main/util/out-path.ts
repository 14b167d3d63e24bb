// Where a command's output file goes: refused before any work when it cannot be written there, so a long run
// does not end in a stack trace (an existing folder, a file on the way, a read-only or virtual file system).
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../api/contract';

/**
 * Refuses an output path that cannot be written, before any work: an existing folder, or a place where
 * a file cannot be created (checked by creating and removing one in the nearest existing folder above it).
 * `example` is the file name suggested inside a folder given by mistake.
 */
export function checkOutPath(out: string, example = 'out.png'): void {
  const abs = path.resolve(out);
  if (statOrNull(abs)?.isDirectory())
    throw new StudioError('bad_request', `${out} is a folder: give a file name, such as ${path.join(out, example)}`);
  let dir = path.dirname(abs);
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw new StudioError('bad_request', `${out} cannot be written: ${dir} is a file, not a folder`);
  const probe = path.join(dir, `.vision-studio-write-test-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (e) {
    throw new StudioError(
      'bad_request',
      `${out} cannot be written: no file can be created in ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** stat, or null where nothing can be there (missing, or a file on the way: ENOTDIR). */
function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
