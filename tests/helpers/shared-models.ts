// Locates ../shared/models (real pretrained models and licensed photos). Tests that need it skip with one clear line where it is absent.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidate = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(here, '../../../shared/models');

export const sharedModelsDir: string | null = fs.existsSync(path.join(candidate, 'README.md')) ? candidate : null;
export const sharedSkipReason = `skipped: ../shared/models not found at ${candidate} (set VISION_STUDIO_SHARED_MODELS)`;
// On CI the folder is always laid beside the clone: a missing one there is a broken setup, never a reason to skip
// gradients, CAM, Create and the reference top-1s and still report green.
if (!sharedModelsDir && process.env.CI) throw new Error(`CI: ${sharedSkipReason.replace(/^skipped: /, '')}`);
if (!sharedModelsDir) console.warn(sharedSkipReason);

export const sharedPath = (...parts: string[]): string => path.join(sharedModelsDir ?? candidate, ...parts);
