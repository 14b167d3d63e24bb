// Locates ../shared/models (real pretrained models and licensed photos). Without it the suite fails, unless
// VISION_STUDIO_ALLOW_MISSING_MODELS=1 opts out: then the tests that need it skip with one clear line.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidate = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(here, '../../../shared/models');

export const sharedModelsDir: string | null = fs.existsSync(path.join(candidate, 'README.md')) ? candidate : null;
/** Set to 1 to run the suite without the real models (their tests then skip, and say so). */
export const OPT_OUT = 'VISION_STUDIO_ALLOW_MISSING_MODELS';
export const sharedSkipReason = `skipped: ../shared/models not found at ${candidate} (${OPT_OUT}=1 is set)`;
// Gradients, CAM, Create, the reference top-1s and the end-to-end tests need the real models: a machine without
// them must not report green unless the person opted out explicitly (CI never may).
if (!sharedModelsDir && (process.env.CI || process.env[OPT_OUT] !== '1'))
  throw new Error(
    `../shared/models not found at ${candidate}: put the shared models there or set VISION_STUDIO_SHARED_MODELS` +
      (process.env.CI ? '' : ` (or ${OPT_OUT}=1 to run without them, skipping the tests that need them)`),
  );
if (!sharedModelsDir) console.warn(sharedSkipReason);

export const sharedPath = (...parts: string[]): string => path.join(sharedModelsDir ?? candidate, ...parts);
