// Run by download.test.ts with NODE_EXTRA_CA_CERTS naming tests/fixtures/tls/localhost-test.crt (Node reads it only
// at start-up, hence a child): a real https server on 127.0.0.1, redirects to https and to http, an oversized body.
// Prints one JSON line: what each case gave.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { downloadModel } from '../../../main/models/download';

const tls = path.resolve('tests/fixtures/tls');
const dir = process.argv[2];
const body = randomBytes(50_000);
const sha = createHash('sha256').update(body).digest('hex');
let httpHits = 0;
const plain = http.createServer((_req, res) => {
  httpHits++;
  res.writeHead(200, { 'content-length': body.length }).end(body);
});
const secure = https.createServer(
  { key: fs.readFileSync(path.join(tls, 'localhost-test.key')), cert: fs.readFileSync(path.join(tls, 'localhost-test.crt')) },
  (req, res) => {
    const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/m.onnx`;
    if (req.url === '/m.onnx') return void res.writeHead(200, { 'content-length': body.length }).end(body);
    if (req.url === '/to-https') return void res.writeHead(302, { location: '/m.onnx' }).end();
    if (req.url === '/to-http') return void res.writeHead(301, { location: plainUrl }).end();
    if (req.url === '/big') return void res.writeHead(200, { 'content-length': body.length * 2 }).end(Buffer.concat([body, body]));
    res.writeHead(404).end();
  },
);

async function main() {
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  const base = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  const out: Record<string, string> = {};
  const run = async (key: string, url: string) => {
    const dest = path.join(dir, `${key}.onnx`);
    try {
      const r = await downloadModel({ url, dest, sha256: sha, sizeBytes: body.length, retries: 0 });
      out[key] = `ok ${r.bytes} ${fs.existsSync(dest)}`;
    } catch (e) {
      out[key] =
        `${(e as { code?: string }).code}: ${(e as Error).message} part=${fs.existsSync(`${dest}.part`)} dest=${fs.existsSync(dest)}`;
    }
  };
  await run('direct', `${base}/m.onnx`);
  await run('redirect', `${base}/to-https`);
  await run('downgrade', `${base}/to-http`);
  await run('big', `${base}/big`);
  out.httpHits = String(httpHits);
  console.log(JSON.stringify(out));
  secure.close();
  plain.close();
}
void main();
