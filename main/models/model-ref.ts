// Requests from a client (the page, another process) name a model by its registry id only. A path would let any
// holder of the page probe which files exist and load any file as a model; the CLI resolves paths itself through
// ModelRegistry.resolve/resolveAsync, so this check belongs to the request handlers, not to the registry's resolve.
import { StudioError } from '../api/contract';

/** Parameter names that carry a model id in the contract. */
export const MODEL_REF_FIELDS = ['modelId', 'baseModelId'] as const;

const looksLikePath = (id: string): boolean => /[\\/]/.test(id) || /\.onnx$/i.test(id) || id === '.' || id === '..';

/** The same answer whether or not a file of that name exists. */
export function notAModelId(id: string): StudioError {
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
  return new StudioError(
    'not_found',
    looksLikePath(id)
      ? `${shown} is not a model id: requests name a model by its id (models.list), not by a path; import the file first`
      : `no model ${shown} (see models.list)`,
  );
}

/** The model ids a request's params name, for a check against the registry. */
export function modelRefsOf(params: unknown): string[] {
  if (typeof params !== 'object' || params === null) return [];
  const p = params as Record<string, unknown>;
  return MODEL_REF_FIELDS.map((k) => p[k]).filter((v): v is string => typeof v === 'string');
}
