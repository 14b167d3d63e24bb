// Browser mode end to end below the UI: a real engine child process, the real HTTP/WebSocket server,
// the same wire framing the renderer uses. Checks the security gates and the engine's self-restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineMessage, JobEvent, ResponseEnvelope } from '../../../main/api/contract';
import { decodeFrame, encodeFrame } from '../../../main/api/wire';
import { EngineClient } from '../../../main/engine/engine-client';
import { forkEngine } from '../../../main/engine/fork-engine';
import { startServer, TOKEN_PROTOCOL_PREFIX, WS_PROTOCOL, type RunningServer } from '../../../main/server/server';
import { makeTempHome } from '../../helpers/temp-home';
import { sharedModelsDir, sharedPath } from '../../helpers/shared-models';

const home = makeTempHome();
const rendererDir = path.join(home.dir, 'renderer');
let engine: EngineClient;
let server: RunningServer;

beforeAll(async () => {
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Vision Studio</title>');
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

/** Opens the socket as the page does: the token offered as a subprotocol beside the public one. */
function open(token: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
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

const origin = () => ({ origin: `http://127.0.0.1:${server.port}` });

describe('browser-mode server', () => {
  it('binds to 127.0.0.1, prints the token once in the URL, refuses a stale token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    expect((await fetch(server.url)).status).toBe(200);
    // A reload after the page took the token out of its URL: the page (a public bundle) is served, the socket is not.
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.port}/?token=${'0'.repeat(48)}`)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${server.port}/../../etc/passwd`)).status).toBe(404);
  });

  it('takes the token as a subprotocol only: not in the query, never echoed back', async () => {
    const query = (extra: string[]) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, extra, { headers: origin() });
        ws.once('open', () => (resolve('open'), ws.close()));
        ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
        ws.once('error', () => resolve('error'));
      });
    expect(await query([])).toBe('HTTP 403');
    expect(await query([WS_PROTOCOL])).toBe('HTTP 403');
    // The token without the public protocol is refused too (a browser would fail a reply naming neither).
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, [`${TOKEN_PROTOCOL_PREFIX}${server.token}`], { headers: origin() });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
    ).rejects.toThrow('HTTP 403');
    const ws = await open(server.token, origin());
    expect(ws.protocol).toBe(WS_PROTOCOL);
    expect((await call(ws, 1, 'app.info', {})).ok).toBe(true);
    ws.close();
  });

  it('refuses sockets without the token, from another origin, or through a foreign Host', async () => {
    await expect(open('nope', origin())).rejects.toThrow();
    await expect(open(server.token, { origin: 'http://evil.example' })).rejects.toThrow();
    await expect(open(server.token, { ...origin(), host: `rebind.example:${server.port}` })).rejects.toThrow();
  });

  it('answers typed calls and rejects invalid params with a coded error', async () => {
    const ws = await open(server.token, origin());
    const info = await call(ws, 1, 'app.info', {});
    expect(info).toMatchObject({ id: 1, ok: true, result: { transport: 'browser', home: home.dir } });
    const bad = await call(ws, 2, 'classify.image', { image: { name: 'x.png' }, modelId: 'm' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('image.bytes') } });
    const unknown = await call(ws, 3, 'rm.rf', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const image = await call(ws, 4, 'classify.image', { image: { name: 'empty.png', bytes: new Uint8Array() }, modelId: 'nope' });
    expect(image.ok).toBe(false);
    ws.close();
  });

  it.skipIf(!sharedModelsDir)(
    'cancels the jobs of a page that goes away, and only those',
    async () => {
      const watcher = await open(server.token, origin());
      const events: JobEvent[] = [];
      watcher.on('message', (data: Buffer) => {
        const msg = decodeFrame(new Uint8Array(data)) as EngineMessage;
        if (msg.kind === 'event' && msg.event.channel === 'job') events.push(msg.event.payload);
      });
      const page = await open(server.token, origin());
      const image = { name: 'cat.png', bytes: new Uint8Array(fs.readFileSync(sharedPath('photos', 'cat.png'))) };
      const started = await call(page, 10, 'create.dream', { modelId: 'tiny_darknet_224', image, size: 64, steps: 1000, octaves: 3 });
      if (!started.ok) throw new Error(started.error.message);
      const jobId = (started as { result: { jobId: string } }).result.jobId;
      for (let i = 0; i < 600 && !events.some((e) => e.jobId === jobId && (e.type === 'metrics' || e.type === 'progress')); i++)
        await new Promise((r) => setTimeout(r, 50));
      page.close(); // the page goes away mid-run
      for (let i = 0; i < 200 && !events.some((e) => e.jobId === jobId && e.type === 'cancelled'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(events.filter((e) => e.jobId === jobId).map((e) => e.type)).toContain('cancelled');
      // The watcher's own connection is untouched.
      expect((await call(watcher, 11, 'app.info', {})).ok).toBe(true);
      watcher.close();
    },
    60_000,
  );

  it('restarts the engine when it is killed, and keeps serving', async () => {
    const ws = await open(server.token, origin());
    const pid = engine.pid!;
    process.kill(pid, 'SIGKILL');
    // Wait for the restart itself (a new pid), however long a loaded machine takes, rather than a fixed sleep.
    for (let i = 0; i < 600 && (engine.pid === undefined || engine.pid === pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(engine.pid).toBeDefined();
    expect(engine.pid).not.toBe(pid);
    const info = await call(ws, 5, 'app.info', {});
    expect(info.ok).toBe(true);
    ws.close();
  });
});
