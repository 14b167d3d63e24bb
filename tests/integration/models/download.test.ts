// downloadModel against a real HTTP server on 127.0.0.1: full transfer, checksum, interruption + Range resume,
// servers that ignore Range, HTTP errors, redirects, cancellation; https only (plain http to 127.0.0.1 is allowed
// here by the test-only VISION_STUDIO_TEST_HTTP_LOOPBACK=1, and refused without it), never downgraded by a redirect
// (a real https server in a child process), bodies cut at the expected size.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { downloadModel, TEST_HTTP_LOOPBACK_ENV } from '../../../main/models/download';
import { StudioError } from '../../../main/api/contract';
import { makeTempHome } from '../../helpers/temp-home';

process.env[TEST_HTTP_LOOPBACK_ENV] = '1'; // the local server below speaks plain http
const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');

interface Seen {
  url: string;
  range?: string;
}
let seen: Seen[] = [];
/** Per-test behaviour: cut the socket after N bytes on the first request, ignore Range, stall, ... */
let mode: { cutAfter?: number; cutEveryTime?: boolean; ignoreRange?: boolean; stall?: boolean } = {};

const server = http.createServer((req, res) => {
  seen.push({ url: req.url ?? '', range: req.headers.range });
  if (req.url === '/missing.onnx') return void res.writeHead(404, 'Not Found').end('nope');
  if (req.url === '/redirect.onnx') return void res.writeHead(302, { location: '/model.onnx' }).end();
  if (req.url === '/to-localhost.onnx') return void res.writeHead(302, { location: `http://localhost:${port()}/model.onnx` }).end();
  if (req.url === '/bigger.onnx')
    return void res.writeHead(200, { 'content-length': body.length + 1 }).end(Buffer.concat([body, body.subarray(0, 1)]));
  if (req.url === '/endless.onnx') {
    // No content-length (chunked): 64 KB chunks until the client hangs up.
    res.writeHead(200);
    const more = () => res.write(body.subarray(0, 65_536), () => setImmediate(more));
    return void more();
  }
  if (req.url !== '/model.onnx') return void res.writeHead(500).end();
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  const start = m && !mode.ignoreRange ? Number(m[1]) : 0;
  if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
  const slice = body.subarray(start);
  res.writeHead(start ? 206 : 200, {
    'content-length': slice.length,
    ...(start && { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }),
    'accept-ranges': 'bytes',
  });
  const cut = mode.cutAfter !== undefined && (mode.cutEveryTime || seen.filter((s) => s.url === '/model.onnx').length === 1);
  if (mode.stall) return void res.write(start ? Buffer.alloc(0) : slice.subarray(0, 1000)); // then nothing: the client must give up or be cancelled
  if (cut) {
    res.write(slice.subarray(0, mode.cutAfter), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(slice);
});

let base = '';
const port = () => (server.address() as AddressInfo).port;
let tmp: ReturnType<typeof makeTempHome>;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = makeTempHome('vs-dl-');
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});
beforeEach(() => {
  seen = [];
  mode = {};
});

const dest = (name: string) => path.join(tmp.dir, name);
async function rejection(p: Promise<unknown>): Promise<StudioError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StudioError);
  return e as StudioError;
}

describe('downloadModel', () => {
  it('downloads the whole file, verifies sha256 and reports progress', async () => {
    const progress: [number, number | null][] = [];
    const r = await downloadModel({
      url: `${base}/model.onnx`,
      dest: dest('a.onnx'),
      sha256: sha,
      sizeBytes: body.length,
      onProgress: (a, b) => progress.push([a, b]),
    });
    expect(r).toMatchObject({ bytes: body.length, sha256: sha, resumed: false });
    expect(fs.readFileSync(dest('a.onnx')).equals(body)).toBe(true);
    expect(fs.existsSync(dest('a.onnx.part'))).toBe(false);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
  });

  it('on a checksum mismatch throws checksum_mismatch and leaves neither dest nor .part', async () => {
    const e = await rejection(downloadModel({ url: `${base}/model.onnx`, dest: dest('bad.onnx'), sha256: '0'.repeat(64) }));
    expect(e.code).toBe('checksum_mismatch');
    expect(e.message).toContain('bad.onnx');
    expect(fs.existsSync(dest('bad.onnx'))).toBe(false);
    expect(fs.existsSync(dest('bad.onnx.part'))).toBe(false);
  });

  it('resumes with a Range request after the server drops the connection mid-stream', async () => {
    mode = { cutAfter: 100_000 };
    const r = await downloadModel({ url: `${base}/model.onnx`, dest: dest('resume.onnx'), sha256: sha, retryDelayMs: 0 });
    expect(r.resumed).toBe(true);
    expect(fs.readFileSync(dest('resume.onnx')).equals(body)).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[0].range).toBeUndefined();
    expect(seen[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)/.exec(seen[1].range!)![1])).toBeGreaterThanOrEqual(100_000);
  });

  it('keeps the .part after a failed call and resumes from it on the next call', async () => {
    mode = { cutAfter: 120_000, cutEveryTime: true };
    const e = await rejection(downloadModel({ url: `${base}/model.onnx`, dest: dest('later.onnx'), sha256: sha, retries: 0 }));
    expect(e.code).toBe('download_failed');
    const kept = fs.statSync(dest('later.onnx.part')).size;
    expect(kept).toBeGreaterThan(0);
    mode = {};
    seen = [];
    const r = await downloadModel({ url: `${base}/model.onnx`, dest: dest('later.onnx'), sha256: sha });
    expect(r.resumed).toBe(true);
    expect(seen[0].range).toBe(`bytes=${kept}-`);
    expect(fs.readFileSync(dest('later.onnx')).equals(body)).toBe(true);
  });

  it('restarts from zero when the server ignores Range and answers 200', async () => {
    fs.writeFileSync(dest('norange.onnx.part'), body.subarray(0, 50_000));
    mode = { ignoreRange: true };
    const r = await downloadModel({ url: `${base}/model.onnx`, dest: dest('norange.onnx'), sha256: sha });
    expect(seen[0].range).toBe('bytes=50000-');
    expect(r.bytes).toBe(body.length);
    expect(fs.readFileSync(dest('norange.onnx')).equals(body)).toBe(true);
  });

  it('does not trust a corrupt .part: a bad prefix fails the checksum over the whole file', async () => {
    fs.writeFileSync(dest('corrupt.onnx.part'), Buffer.alloc(50_000, 7));
    const e = await rejection(downloadModel({ url: `${base}/model.onnx`, dest: dest('corrupt.onnx'), sha256: sha }));
    expect(e.code).toBe('checksum_mismatch');
    expect(fs.existsSync(dest('corrupt.onnx'))).toBe(false);
    expect(fs.existsSync(dest('corrupt.onnx.part'))).toBe(false);
  });

  it('follows redirects', async () => {
    await downloadModel({ url: `${base}/redirect.onnx`, dest: dest('redir.onnx'), sha256: sha });
    expect(seen.map((s) => s.url)).toEqual(['/redirect.onnx', '/model.onnx']);
  });

  it('reports HTTP errors as download_failed naming the status and host', async () => {
    const e = await rejection(downloadModel({ url: `${base}/missing.onnx`, dest: dest('missing.onnx') }));
    expect(e.code).toBe('download_failed');
    expect(e.message).toMatch(/HTTP 404/);
    expect(e.message).toContain('127.0.0.1');
    expect(fs.existsSync(dest('missing.onnx'))).toBe(false);
  });

  it('reports an unresolvable host as offline', async () => {
    const e = await rejection(downloadModel({ url: 'https://no-such-host.invalid/m.onnx', dest: dest('dns.onnx') }));
    expect(e.code).toBe('download_failed');
    expect(e.message).toContain('no-such-host.invalid');
    expect(e.message).toMatch(/offline/);
  });

  it('is cancelled by its AbortSignal and keeps the .part for a later resume', async () => {
    mode = { stall: true };
    const ac = new AbortController();
    const p = downloadModel({
      url: `${base}/model.onnx`,
      dest: dest('abort.onnx'),
      sha256: sha,
      signal: ac.signal,
      onProgress: (n) => n >= 1000 && ac.abort(),
    });
    const e = await rejection(p);
    expect(e.code).toBe('cancelled');
    expect(fs.existsSync(dest('abort.onnx'))).toBe(false);
    expect(fs.statSync(dest('abort.onnx.part')).size).toBe(1000);
  });

  it('gives up on a stalled connection after the idle timeout', async () => {
    mode = { stall: true };
    const e = await rejection(
      downloadModel({ url: `${base}/model.onnx`, dest: dest('stall.onnx'), idleTimeoutMs: 200, retries: 1, retryDelayMs: 0 }),
    );
    expect(e.code).toBe('download_failed');
    expect(e.message).toMatch(/no data|timed out/);
  });

  it('refuses plain http without the test-only variable, and to any host but 127.0.0.1 even with it', async () => {
    delete process.env[TEST_HTTP_LOOPBACK_ENV];
    try {
      const e = await rejection(downloadModel({ url: `${base}/model.onnx`, dest: dest('plain.onnx') }));
      expect(e).toMatchObject({
        code: 'download_failed',
        message: expect.stringMatching(/^plain\.onnx: only https downloads are allowed, not http/),
      });
    } finally {
      process.env[TEST_HTTP_LOOPBACK_ENV] = '1';
    }
    for (const url of [`http://localhost:${port()}/model.onnx`, `ftp://127.0.0.1/model.onnx`, 'file:///etc/passwd', 'not a url']) {
      const e = await rejection(downloadModel({ url, dest: dest('other.onnx') }));
      expect(e.code, url).toBe('download_failed');
      expect(e.message, url).toMatch(/^other\.onnx: (only https downloads are allowed|not a valid URL)/);
    }
    // A redirect is held to the same rule.
    const e = await rejection(downloadModel({ url: `${base}/to-localhost.onnx`, dest: dest('hop.onnx') }));
    expect(e.message).toMatch(/only https downloads are allowed, not http \(localhost:/);
    expect(seen.map((s) => s.url)).toEqual(['/to-localhost.onnx']);
    expect(fs.existsSync(dest('plain.onnx.part')) || fs.existsSync(dest('other.onnx.part'))).toBe(false);
  });

  it('stops at the expected size: an announced larger body is refused unread, an endless one cut at the limit', async () => {
    const e1 = await rejection(
      downloadModel({ url: `${base}/bigger.onnx`, dest: dest('bigger.onnx'), sha256: sha, sizeBytes: body.length }),
    );
    expect(e1).toMatchObject({
      code: 'download_failed',
      message: expect.stringMatching(/^bigger\.onnx: .* sent more than the expected 300000 bytes/),
    });
    let most = 0;
    const e2 = await rejection(
      downloadModel({
        url: `${base}/endless.onnx`,
        dest: dest('endless.onnx'),
        sizeBytes: body.length,
        onProgress: (n) => (most = Math.max(most, n)),
      }),
    );
    expect(e2.message).toMatch(/^endless\.onnx: .* sent more than the expected 300000 bytes; the partial file was deleted/);
    expect(most).toBeLessThanOrEqual(body.length);
    for (const f of ['bigger.onnx', 'bigger.onnx.part', 'endless.onnx', 'endless.onnx.part']) expect(fs.existsSync(dest(f)), f).toBe(false);
  });

  it('https: downloads and follows https redirects, refuses a redirect to http (even to 127.0.0.1 with the test variable)', async () => {
    const dir = path.join(tmp.dir, 'tls');
    fs.mkdirSync(dir);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', path.resolve('tests/integration/models/https-download.child.ts'), dir],
        {
          timeout: 60_000,
          env: {
            ...process.env,
            NODE_EXTRA_CA_CERTS: path.resolve('tests/fixtures/tls/localhost-test.crt'),
            [TEST_HTTP_LOOPBACK_ENV]: '1',
          },
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
    expect(r.direct).toBe('ok 50000 true');
    expect(r.redirect).toBe('ok 50000 true');
    expect(r.downgrade).toMatch(
      /^download_failed: downgrade\.onnx: 127\.0\.0\.1:\d+ redirected to http:\/\/127\.0\.0\.1:\d+, refused \(https only\) part=false dest=false$/,
    );
    expect(r.big).toMatch(/^download_failed: big\.onnx: .*sent more than the expected 50000 bytes.* part=false dest=false$/);
    expect(r.httpHits).toBe('0');
  });
});
