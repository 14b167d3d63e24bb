// Browser mode: serves the renderer and carries the contract over a WebSocket, on 127.0.0.1 only.
// A random session token gates the page and the socket; Host and Origin are checked so another
// site in the same browser (or a DNS-rebinding page) cannot drive the engine.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestEnvelope, StudioEvent } from '../api/contract';
import { decodeFrame, encodeFrame } from '../api/wire';
import type { EngineClient } from '../engine/engine-client';
import { serveStatic } from './static-files';

export interface ServerOptions {
  engine: EngineClient;
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Largest frame a client may send (a folder of photos is sent image by image or batched; models can be big). */
const MAX_FRAME = 1024 * 1024 * 1024;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const { engine, rendererDir } = options;
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html missing): run \`npm run build\``);
  }
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const tokenOk = (candidate: string | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const server = http.createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request: unexpected Host header.');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenOk(url.searchParams.get('token'))) {
        res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end('Vision Studio: open the exact URL printed by `vision-studio serve` (it carries the session token).');
        return;
      }
    }
    serveStatic(rendererDir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || allowedHosts().has(origin.replace(/^http:\/\//, ''));
    if (url.pathname !== '/ws' || !allowedHosts().has(req.headers.host ?? '') || !originOk || !tokenOk(url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const sockets = new Set<WebSocket>();
  const unsubscribe = engine.onEvent((event: StudioEvent) => {
    const frame = encodeFrame({ kind: 'event', event });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let request: RequestEnvelope;
        try {
          if (!isBinary) throw new Error('text frames are not part of the protocol');
          request = decodeFrame(toBytes(data)) as RequestEnvelope;
          if (typeof request?.id !== 'number' || typeof request.method !== 'string') throw new Error('not a request envelope');
        } catch (e) {
          ws.close(1003, `bad frame: ${e instanceof Error ? e.message : String(e)}`.slice(0, 120));
          return;
        }
        const response = await engine.request(request.method, request.params);
        if (ws.readyState === ws.OPEN) ws.send(encodeFrame({ kind: 'response', response: { ...response, id: request.id } }));
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toBytes(data: unknown): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array((data as Buffer).buffer, (data as Buffer).byteOffset, (data as Buffer).byteLength);
}
