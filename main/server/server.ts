// Browser mode: serves the renderer and carries the contract over a WebSocket, on 127.0.0.1 only.
// A random session token gates the socket; Host and Origin are checked so another site in the same browser (or a
// DNS-rebinding page) cannot drive the engine. The token reaches the page once, in the printed URL; the page keeps it
// in sessionStorage and takes it out of the address bar (history.replaceState), so it is not left in history, and
// sends it as a WebSocket subprotocol, never in a URL. Any local web page can
// send this server requests, so every handler is total: a bad request gets an answer, never a crash.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StudioEvent } from '../api/contract';
import { encodeFrame } from '../api/wire';
import type { EngineClient } from '../engine/engine-client';
import { securityHeaders, writeRawResponse } from './http-headers';
import { handleMessage } from './messages';
import { resolveStatic, sendFile, text } from './static-files';

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

/**
 * Largest message a client may send. The largest legitimate one is `models.import`, which carries the whole .onnx
 * in one message (renderer/src/lib/state/models.svelte.ts): the biggest catalog model is VGG19 at 548 MiB, so
 * 768 MiB leaves 40% headroom for imported models. Dataset uploads are ≤ 64 files / ~32 MB a message, photos ≤ 512 MB.
 * ws buffers a message whole before we see it, so this also bounds what one socket can make the server hold.
 */
export const MAX_MESSAGE_BYTES = 768 * 1024 * 1024;

/**
 * WebSocket subprotocols: the page offers `vision-studio` (which the server selects) and `vs-token.<token>` (the
 * credential: checked at the upgrade, never echoed). renderer/src/lib/api/ws-client.ts spells the same two.
 */
export const WS_PROTOCOL = 'vision-studio';
export const TOKEN_PROTOCOL_PREFIX = 'vs-token.';

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const { engine, rendererDir } = options;
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html missing): run \`npm run build\``);
  }
  let port = 0;
  /** Exactly one Host header naming us (Node keeps the first of several; RFC 9112 says such a request is bad). */
  const hostOk = (req: http.IncomingMessage): boolean => {
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') hosts++;
    const host = req.headers.host;
    return hosts === 1 && (host === `127.0.0.1:${port}` || host === `localhost:${port}`);
  };
  // Exactly our own origin: a scheme-less or https Origin is not the page we served.
  const originOk = (origin: string | undefined): boolean =>
    origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  const tokenOk = (candidate: string | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  /** Path and query of a request target; null when it does not parse (never throws). */
  const target = (reqUrl: string | undefined): URL | null => {
    try {
      return new URL(`http://127.0.0.1${(reqUrl ?? '/').startsWith('/') ? reqUrl : `/${reqUrl}`}`);
    } catch {
      return null;
    }
  };

  const indexHtml = path.resolve(rendererDir, 'index.html');
  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(securityHeaders(port))) res.setHeader(k, v);
    try {
      if (!hostOk(req)) return text(res, 421, 'Misdirected request: unexpected Host header.');
      const url = target(req.url);
      if (!url) return text(res, 400, 'Bad request: the path does not parse.');
      const found = resolveStatic(rendererDir, url.pathname);
      if ('status' in found) return text(res, found.status, found.text);
      // The page is a public bundle: without a token (a reload after the page took it out of the URL) it is served and
      // finds its token in sessionStorage. A wrong token is a stale URL (an earlier `serve`): say so, however the path
      // is spelt (/, /index.html, /%69ndex.html).
      const given = url.searchParams.get('token');
      if (found.file === indexHtml && given !== null && !tokenOk(given))
        return text(res, 403, 'Vision Studio: open the exact URL printed by `vision-studio serve` (it carries the session token).');
      sendFile(found.file, res);
    } catch (e) {
      // A bug in a handler must cost one request, not the server.
      if (!res.headersSent) text(res, 500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    }
  });
  // Requests Node cannot parse, and peers that reset: answer or drop that socket only.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    writeRawResponse(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, 'bad request', securityHeaders(port));
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Answer with the public protocol only: the token the page offered beside it is never sent back.
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  /** The token a page offered as a subprotocol (`vs-token.<token>`); null when none or the header is malformed. */
  const offeredToken = (header: string | string[] | undefined): string | null => {
    if (typeof header !== 'string') return null;
    const offered = header.split(',').map((p) => p.trim());
    if (!offered.includes(WS_PROTOCOL)) return null;
    const t = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
    return t ? t.slice(TOKEN_PROTOCOL_PREFIX.length) : null;
  };
  server.on('upgrade', (req, socket, head) => {
    // The socket is ours from here: without a listener a reset (ECONNRESET) would be an uncaught error.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string): void => writeRawResponse(socket, status, text, securityHeaders(port));
    try {
      if (!hostOk(req)) return refuse(421, 'Misdirected request: unexpected Host header.');
      const url = target(req.url);
      if (!url) return refuse(400, 'Bad request: the path does not parse.');
      // Before ws reads a byte of payload: a socket without the token never exists, so it cannot send 768 MiB.
      if (url.pathname !== '/ws' || !originOk(req.headers.origin) || !tokenOk(offeredToken(req.headers['sec-websocket-protocol'])))
        return refuse(403, 'Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      refuse(400, 'Bad request');
    }
  });

  // Each page's running jobs: a page that goes away (closed, reloaded, its socket dropped) takes them with it.
  // Nothing could show their progress or result any more, and an orphan would hold the compute queue.
  const sockets = new Map<WebSocket, Set<string>>();
  const unsubscribe = engine.onEvent((event: StudioEvent) => {
    const frame = encodeFrame({ kind: 'event', event });
    if (event.channel === 'job' && (event.payload.type === 'done' || event.payload.type === 'failed' || event.payload.type === 'cancelled'))
      for (const jobs of sockets.values()) jobs.delete(event.payload.jobId);
    for (const ws of sockets.keys()) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws) => {
    const jobs = new Set<string>();
    sockets.set(ws, jobs);
    ws.on('close', () => {
      sockets.delete(ws);
      for (const jobId of jobs) void engine.request('jobs.cancel', { jobId }).catch(() => {});
    });
    // Protocol violations (a message over the cap, an unmasked frame, a reserved opcode) end this socket only;
    // ws has already sent the matching close code (1009, 1002).
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => void handleMessage(engine, ws, data, isBinary, jobs));
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
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
