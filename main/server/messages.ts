// One WebSocket message: decode the frame, check the model ids it names, forward it to the engine, send the reply.
// Never throws or rejects: a bad frame closes that socket (1003); an engine failure becomes an error reply.
import type { WebSocket } from 'ws';
import { Methods, type MethodName, type ModelMeta, type RequestEnvelope, type ResponseEnvelope } from '../api/contract';
import { decodeFrame, encodeFrame } from '../api/wire';
import type { EngineClient } from '../engine/engine-client';
import { modelRefsOf, notAModelId } from '../models/model-ref';

/**
 * `jobs` collects the ids of the jobs this socket started, so the server can cancel them when the page goes
 * away (server.ts).
 */
export async function handleMessage(
  engine: EngineClient,
  ws: WebSocket,
  data: unknown,
  isBinary: boolean,
  jobs?: Set<string>,
): Promise<void> {
  let request: RequestEnvelope;
  try {
    if (!isBinary) throw new Error('text frames are not part of the protocol');
    request = decodeFrame(toBytes(data)) as RequestEnvelope;
    if (typeof request?.id !== 'number' || typeof request.method !== 'string') throw new Error('not a request envelope');
  } catch (e) {
    ws.close(1003, `bad frame: ${e instanceof Error ? e.message : String(e)}`.slice(0, 120));
    return;
  }
  let response: ResponseEnvelope;
  try {
    response = (await unknownModel(engine, request)) ?? (await engine.request(request.method, request.params));
  } catch (e) {
    // e.g. params the IPC serialiser refuses (too deeply nested)
    response = { id: request.id, ok: false, error: { code: 'bad_request', message: e instanceof Error ? e.message : String(e) } };
  }
  const jobId = response.ok ? (response.result as { jobId?: unknown } | null)?.jobId : undefined;
  if (typeof jobId === 'string') jobs?.add(jobId);
  if (ws.readyState !== ws.OPEN) return;
  try {
    ws.send(encodeFrame({ kind: 'response', response: { ...response, id: request.id } }));
  } catch {
    ws.terminate();
  }
}

/**
 * A page names models by registry id, never by path (the engine's handlers would resolve a path, telling the page
 * whether a file exists and loading any file). Checked here against the engine's own list, so browser mode is safe
 * whichever handler the id reaches.
 */
async function unknownModel(engine: EngineClient, request: RequestEnvelope): Promise<ResponseEnvelope | null> {
  const refs = modelRefsOf(request.params);
  if (refs.length === 0) return null;
  // Params the contract refuses get the engine's own bad_request (naming the field) first.
  const method = Methods[request.method as MethodName] as (typeof Methods)[MethodName] | undefined;
  if (!Object.hasOwn(Methods, request.method) || !method?.params.safeParse(request.params).success) return null;
  const list = await engine.request('models.list', {});
  const ids = new Set(list.ok ? (list.result as ModelMeta[]).map((m) => m.id) : []);
  const bad = refs.find((id) => !ids.has(id));
  return bad === undefined ? null : { id: request.id, ok: false, error: notAModelId(bad).toWire() };
}

function toBytes(data: unknown): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array((data as Buffer).buffer, (data as Buffer).byteOffset, (data as Buffer).byteLength);
}
