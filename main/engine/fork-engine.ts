// Browser mode and tests: the engine as a Node child process (structured-clone IPC carries Uint8Arrays).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineChild } from './engine-client';
import type { EngineMessage } from '../api/contract';
import { appRoot } from '../paths';

/** The bundled engine entry (out/main/engine-process.js), found from the bundle or from the sources. */
export function engineEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'engine-process.js'),
    path.join(here, '..', 'engine-process.js'),
    path.join(appRoot(), 'out', 'main', 'engine-process.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`engine bundle not found (looked in ${candidates.join(', ')}): run \`npm run build\``);
  return found;
}

/** `execArgv` lets tests run the TypeScript entry directly (`['--import', 'tsx']`). */
export function forkEngine(entry = engineEntry(), env: NodeJS.ProcessEnv = process.env, execArgv: string[] = []): EngineChild {
  const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env, execArgv });
  return {
    pid: child.pid,
    send: (request) => child.send(request),
    onMessage: (listener) => child.on('message', (m) => listener(m as EngineMessage)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill(),
  };
}
