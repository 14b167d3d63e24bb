// A job's result may hold images (Uint8Array). They become 'output' artifacts, and the stored result JSON keeps
// a reference { artifact: id } in their place, so the JSON stays small and the images stay browsable.
export function extractOutputs(value: unknown, store: (name: string, bytes: Uint8Array) => number, at = 'result', depth = 0): unknown {
  if (value instanceof Uint8Array) return { artifact: store(at, value) };
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => extractOutputs(v, store, `${at}[${i}]`, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractOutputs(v, store, `${at}.${k}`, depth + 1)]));
}
