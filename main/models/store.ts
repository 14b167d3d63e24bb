// Small persistence helpers for the registry: JSON written atomically (temp file + rename, so a crash never leaves
// half a file) and read without ever throwing (a corrupt file is reported, not fatal).
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';

export function writeJsonAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export type ReadResult = { ok: true; value: unknown } | { ok: false; missing: boolean; error: string };

export function readJson(file: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', error: `${path.basename(file)}: cannot read (${code ?? (e as Error).message})` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, missing: false, error: `${path.basename(file)}: corrupt JSON (${(e as Error).message})` };
  }
}

/** "My ResNet-50 (v2).onnx" -> "my-resnet-50-v2". Never empty. */
export function slugify(name: string): string {
  const stem = name.replace(/\.onnx$/i, '');
  const slug = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
  return slug || 'model';
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
