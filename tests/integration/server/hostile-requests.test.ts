// Probes of browser mode over raw sockets, as any local web page or process could send them: bad escapes, NUL,
// malformed Host, resets, protocol violations, scheme-less Origins, paths as model ids. Each must get an answer
// (or close that one socket) and the server must still serve afterwards.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineMessage, ResponseEnvelope } from '../../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../../main/api/wire';
import { EngineClient } from '../../../main/engine/engine-client';
import { forkEngine } from '../../../main/engine/fork-engine';
import { MAX_MESSAGE_BYTES, startServer, TOKEN_PROTOCOL_PREFIX, WS_PROTOCOL, type RunningServer } from '../../../main/server/server';
import { makeTempHome } from '../../helpers/temp-home';
import { frameCases, requestCases } from '../../hostile/requests';

const home = makeTempHome('vs-hostile-');
const rendererDir = path.join(home.dir, 'renderer');
let engine: EngineClient;
let server: RunningServer;

beforeAll(async () => {
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Vision Studio</title>');
  fs.writeFileSync(path.join(rendererDir, 'app.js'), 'console.log(1)');
  engine = new EngineClient(() =>
    forkEngine(path.resolve('main/engine/engine-process.ts'), { ...process.env, VISION_STUDIO_HOME: home.dir }, ['--import', 'tsx']),
  );
  server = await startServer({ engine, rendererDir });
});
afterAll(async () => {
  await server.close();
  engine.stop();
  home.cleanup();
});

const host = () => `127.0.0.1:${server.port}`;

/** Sends bytes on a fresh TCP connection and returns everything the server sent until it closed. */
function raw(request: string | Buffer, opts: { reset?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(request);
      if (opts.reset) socket.resetAndDestroy();
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    setTimeout(() => socket.destroy(), 5000);
  });
}

const status = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
const get = (target: string, headers = `Host: ${host()}`) => raw(`GET ${target} HTTP/1.1\r\n${headers}\r\nConnection: close\r\n\r\n`);
/** The subprotocol header a page sends: the public protocol and the token. */
const withToken = (token: string) => `Sec-WebSocket-Protocol: ${WS_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${token}`;
const upgrade = (target: string, headers: string) =>
  `GET ${target} HTTP/1.1\r\n${headers}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** Opens a socket with a raw handshake, sends `frame`, and returns the close code the server sent (0: none). */
function closeCodeAfter(frame: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const socket = net.connect(server.port, '127.0.0.1', () =>
      socket.write(upgrade('/ws', `Host: ${host()}\r\nOrigin: http://${host()}\r\n${withToken(server.token)}`)),
    );
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        expect(buf.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
        upgraded = true;
        buf = buf.subarray(end + 4);
        socket.write(frame);
      }
      // Server frames are unmasked: [0x88, len, code hi, code lo, reason...]
      if (buf.length >= 4 && buf[0] === 0x88) resolve(buf.readUInt16BE(2));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(0));
    // A frame the server answers (or ignores) without closing: 0 after a while, and this socket is dropped.
    setTimeout(() => (resolve(0), socket.destroy()), 3000);
  });
}

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host()}/ws`, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`], {
      headers: { origin: `http://${host()}` },
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<ResponseEnvelope> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data)) as EngineMessage;
      if (msg.kind === 'response' && msg.response.id === id) {
        ws.off('message', onMessage);
        resolve(msg.response);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeFrame({ id, method, params }));
  });
}

async function stillServing(): Promise<void> {
  expect((await fetch(server.url)).status).toBe(200);
  const ws = await open();
  expect((await call(ws, 99, 'app.info', {})).ok).toBe(true);
  ws.close();
}

describe('browser-mode server under hostile requests', () => {
  it('answers bad escapes and NUL in the path with 400', async () => {
    for (const target of ['/%', '/%zz', '/..%c0%af..', '/%00', '/x%00.js']) {
      expect({ target, status: status(await get(target)) }).toEqual({ target, status: 400 });
    }
    expect(status(await get('/app.js'))).toBe(200);
    expect(status(await get('/%69ndex.html?token=stale'))).toBe(403); // a wrong token is refused however the page is spelt
    await stillServing();
  });

  it('answers an upgrade with a malformed Host with 421, and survives resets after a refusal', async () => {
    for (const h of ['[', 'a b', '%']) {
      const res = await raw(upgrade('/ws', `Host: ${h}\r\n${withToken(server.token)}`));
      expect({ h, status: status(res) }).toEqual({ h, status: 421 });
    }
    expect(status(await raw(upgrade('/ws', `Host: ${host()}\r\n${withToken('nope')}`)))).toBe(403);
    for (let i = 0; i < 20; i++) await raw(upgrade('/ws', `Host: ${host()}\r\n${withToken('nope')}`), { reset: true });
    for (let i = 0; i < 5; i++) await raw(upgrade('/%zz', `Host: ${host()}\r\n${withToken(server.token)}`), { reset: true });
    await stillServing();
  });

  it('refuses an Origin without a scheme', async () => {
    const res = await raw(upgrade('/ws', `Host: ${host()}\r\nOrigin: ${host()}\r\n${withToken(server.token)}`));
    expect(status(res)).toBe(403);
    const https = await raw(upgrade('/ws', `Host: ${host()}\r\nOrigin: https://${host()}\r\n${withToken(server.token)}`));
    expect(status(https)).toBe(403);
  });

  it('closes only the offending socket on a message over the cap, an unmasked frame or opcode 3', async () => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const len64 = Buffer.alloc(8);
    len64.writeBigUInt64BE(BigInt(MAX_MESSAGE_BYTES + 1));
    const bystander = await open();
    expect(await closeCodeAfter(Buffer.concat([Buffer.from([0x82, 0x80 | 127]), len64, mask]))).toBe(1009);
    expect(await closeCodeAfter(Buffer.from([0x82, 0x03, 1, 2, 3]))).toBe(1002); // no mask bit
    expect(await closeCodeAfter(Buffer.concat([Buffer.from([0x83, 0x80]), mask]))).toBe(1002); // reserved opcode
    expect((await call(bystander, 1, 'app.info', {})).ok).toBe(true);
    bystander.close();
    await stillServing();
  });

  it('sends CSP, Referrer-Policy and nosniff as headers on every response', async () => {
    for (const res of [await get(`/?token=${server.token}`), await get('/nope'), await get('/%zz'), await get('/', 'Host: evil')]) {
      expect(res).toMatch(/\r\ncontent-security-policy: default-src 'self';[^\r]*frame-ancestors 'none'/i);
      expect(res).toMatch(/\r\nreferrer-policy: no-referrer\r\n/i);
      expect(res).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    }
    const refused = await raw(upgrade('/ws', `Host: ${host()}\r\n${withToken('nope')}`));
    expect(refused).toMatch(/\r\nreferrer-policy: no-referrer\r\n/i);
  });

  it('takes model ids only, and says the same whether or not a path exists', async () => {
    const ws = await open();
    const existing = path.join(rendererDir, 'app.js');
    const missing = path.join(rendererDir, 'missing.onnx');
    const image = { name: 'x.png', bytes: new Uint8Array([1]) };
    const a = await call(ws, 1, 'classify.image', { image, modelId: existing });
    const b = await call(ws, 2, 'classify.image', { image, modelId: missing });
    expect(a).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('not a model id') } });
    expect(b.ok || b.error.message.replace(missing, 'P')).toBe(a.ok || a.error.message.replace(existing, 'P'));
    const base = await call(ws, 3, 'explain.layers', { modelId: '/etc/passwd' });
    expect(base).toMatchObject({ ok: false, error: { code: 'not_found' } });
    ws.close();
  });

  it('refuses a labels file outside the studio folder', async () => {
    const ws = await open();
    const r = await call(ws, 1, 'models.update', { id: 'squeezenet1.1-7', patch: { labels: '/etc/passwd' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('/etc/passwd') } });
    expect(await call(ws, 2, 'models.labels', { id: 'squeezenet1.1-7' })).toMatchObject({ ok: true });
    ws.close();
    await stillServing();
  });

  it('the generated corpus (tests/hostile/requests.ts): malformed requests get an answer or a close, bad frames close their own socket', async () => {
    const before = process.memoryUsage().rss;
    for (const c of requestCases) {
      const res = await raw(c.bytes(host()));
      expect({ id: c.id, status: status(res) }).toEqual({ id: c.id, status: expect.toSatisfy((n: number) => c.status.includes(n)) });
    }
    const bystander = await open();
    for (const c of frameCases) {
      const code = await closeCodeAfter(c.frame);
      expect({ id: c.id, code }).toEqual({ id: c.id, code: expect.toSatisfy((n: number) => c.close.includes(n)) });
    }
    expect((await call(bystander, 1, 'app.info', {})).ok).toBe(true);
    bystander.close();
    await stillServing();
    // The server runs in this process: the whole corpus may not make it hold more than this.
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(128);
  }, 120_000);
});
