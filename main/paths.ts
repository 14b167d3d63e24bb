// Where Vision Studio keeps its files. VISION_STUDIO_HOME overrides the user-data folder (tests, portable installs).
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export function studioHome(): string {
  const override = process.env.VISION_STUDIO_HOME;
  if (override) return path.resolve(override);
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? os.homedir(), 'Vision Studio');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Vision Studio');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'vision-studio');
}

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const modelsDir = (): string => path.join(studioHome(), 'models');
export const logDir = (): string => path.join(studioHome(), 'log');
/** Datasets the page uploaded (browser mode has no paths), a folder per dataset, a folder per class. */
export const datasetsDir = (): string => path.join(studioHome(), 'datasets');
/** Decoded images and embeddings, keyed by content: safe to delete at any time. */
export const trainCacheDir = (): string => path.join(studioHome(), 'cache', 'train');

/** Project root: works from sources (main/) and from the bundle (out/main/). */
export function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'resources'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const resourcesDir = (): string => path.join(appRoot(), 'resources');
