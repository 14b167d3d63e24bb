// `vision-studio models ...` in process: exit codes, stdout/stderr split, progress lines, errors naming the file.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsCommand } from '../../../main/cli/commands/models';
import { loadCatalog } from '../../../main/models/catalog';
import { ModelRegistry } from '../../../main/models/registry';
import { makeTempHome } from '../../helpers/temp-home';
import { tinyNchw } from './tiny-onnx';

const home = makeTempHome('vs-cli-models-');
const prevHome = process.env.VISION_STUDIO_HOME;
process.env.VISION_STUDIO_TEST_HTTP_LOOPBACK = '1'; // test-only: the catalog below is served over plain http from 127.0.0.1
process.env.VISION_STUDIO_HOME = home.dir;
const body = Buffer.concat([Buffer.from(tinyNchw()), Buffer.alloc(200_000)]); // trailing bytes: still a verifiable download
const server = http.createServer((_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body));
let reg: ModelRegistry;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.onnx`;
  const t = loadCatalog()[0];
  reg = new ModelRegistry({
    extraDirs: [],
    catalog: [{ ...t, id: 'served', url, sizeBytes: body.length, sha256: createHash('sha256').update(body).digest('hex') }],
  });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  process.env.VISION_STUDIO_HOME = prevHome;
  home.cleanup();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await modelsCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, { registry: reg, tty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('vision-studio models', () => {
  it('--help and usage errors', async () => {
    expect((await cli('--help')).out).toMatch(/Usage: vision-studio models/);
    expect((await cli()).code).toBe(2);
    expect((await cli('frobnicate')).err).toMatch(/unknown subcommand "frobnicate"/);
    expect((await cli('pull')).code).toBe(2);
    expect((await cli('list', '--bogus')).code).toBe(2);
  });

  it('list prints a table, --json a ModelMeta array', async () => {
    const t = await cli('list');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^ID\s+STATUS\s+SOURCE/);
    expect(t.out).toMatch(/served\s+missing\s+catalog/);
    const j = await cli('list', '--json');
    expect(JSON.parse(j.out)[0]).toMatchObject({ id: 'served', status: 'missing' });
  });

  it('pull downloads with progress lines on stderr, then reports already downloaded', async () => {
    const r = await cli('pull', 'served');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/served: downloaded and verified/);
    expect(r.err).toMatch(/served: 100%/);
    expect((await cli('pull', 'served')).out).toMatch(/already downloaded/);
    expect((await cli('pull', 'nope')).code).toBe(1);
  });

  it('import names the file on failure and prints metadata on success', async () => {
    const bad = path.join(home.dir, 'broken.onnx');
    fs.writeFileSync(bad, 'garbage');
    const r = await cli('import', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bad);
    expect(r.err).toMatch(/not an ONNX model/);
    const good = path.join(home.dir, 'good.onnx');
    fs.writeFileSync(good, tinyNchw());
    const ok = await cli('import', good, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ id: 'good', source: 'imported', numClasses: 3 });
    expect((await cli('remove', 'good')).out).toMatch(/good: removed/);
  });
});
