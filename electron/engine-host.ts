// Runs the engine in an Electron utilityProcess and adapts it to the EngineClient the rest of the app uses.
import { utilityProcess } from 'electron';
import path from 'node:path';
import type { EngineChild } from '../main/engine/engine-client';
import type { EngineMessage } from '../main/api/contract';

export function spawnUtilityEngine(outMainDir: string): EngineChild {
  const child = utilityProcess.fork(path.join(outMainDir, 'engine-process.js'), [], {
    serviceName: 'Vision Studio engine',
    stdio: 'inherit',
    env: { ...process.env, VISION_STUDIO_TRANSPORT: 'electron' },
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (request) => child.postMessage(request),
    onMessage: (listener) => child.on('message', (m: unknown) => listener(m as EngineMessage)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}
