// Entry of the engine process. Speaks RequestEnvelope in, EngineMessage out, over whichever parent link
// exists: Electron's utilityProcess (process.parentPort) or a Node child_process fork (process.send).
import '../runtime/no-telemetry'; // first: before anything loads ONNX Runtime
import type { EngineMessage, RequestEnvelope } from '../api/contract';
import { Engine } from './engine';
import { lowerOwnPriority } from './priority';

// Before any ONNX Runtime or libuv thread exists: they inherit it (Linux nice is per thread).
lowerOwnPriority();

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: EngineMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

const engine = new Engine({
  transport: process.env.VISION_STUDIO_TRANSPORT ?? (parentPort ? 'electron' : 'browser'),
  emit: (event) => send({ kind: 'event', event }),
});

async function onRequest(request: RequestEnvelope): Promise<void> {
  send({ kind: 'response', response: await engine.handle(request) });
}

if (parentPort) parentPort.on('message', (e) => void onRequest(e.data as RequestEnvelope));
else process.on('message', (m) => void onRequest(m as RequestEnvelope));

// Keep running after an unexpected error in one job; the parent restarts the process if it dies anyway.
process.on('uncaughtException', (e) => console.error('[engine] uncaught:', e));
process.on('unhandledRejection', (e) => console.error('[engine] unhandled rejection:', e));
process.on('disconnect', () => void engine.dispose().finally(() => process.exit(0)));
send({ kind: 'event', event: { channel: 'connection', payload: { state: 'open' } } });
