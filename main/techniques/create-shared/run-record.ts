// What the run log keeps of a Create request, shared by the engine's jobs and the CLI: the image payloads as
// input artifacts, and the parameters without their bytes.
import type { FilePayload } from '../../api/contract';

/** Image payloads of a request (what the run log keeps as inputs). */
export function inputsOf(params: Record<string, unknown>): FilePayload[] {
  const out: FilePayload[] = [];
  for (const k of ['image', 'guide', 'sample', 'content']) {
    const v = params[k] as FilePayload | undefined;
    if (v?.bytes) out.push(v);
  }
  for (const s of (params.styles as { image: FilePayload }[] | undefined) ?? []) out.push(s.image);
  return out;
}

/** Parameters without the image bytes, for the run log. */
export function loggable(params: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(params, (_k, v) => (v instanceof Uint8Array ? `${v.byteLength} bytes` : v)));
}
