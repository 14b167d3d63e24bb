// kill -9 the engine process at random moments while it runs logged jobs, 20 times. After every kill the database
// is sound; at the end, every run that finished is complete with its files, every killed one is 'interrupted', and the engine
// came back by itself each time (EngineClient restarts it; its crash-loop guard allows 5 deaths in 30 s, so a
// fresh client takes over every 5 kills).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../../main/api/contract';
import { EngineClient } from '../../../main/engine/engine-client';
import { forkEngine } from '../../../main/engine/fork-engine';
import { BlobStore } from '../../../main/log/blobs';
import { RunStore } from '../../../main/log/store';
import { makeTempHome } from '../../helpers/temp-home';
import { pngs, tinyNchw } from './helpers';

const KILLS = 20;
const home = makeTempHome('vs-kill-');
const env = { ...process.env, VISION_STUDIO_HOME: home.dir };
const spawnClient = () => new EngineClient(() => forkEngine(path.resolve('main/engine/engine-process.ts'), env, ['--import', 'tsx']));
let client: EngineClient | null = null;
afterAll(() => {
  client?.stop();
  home.cleanup();
});

// A fixed-seed generator: the "random" moments are the same on every run of the test.
let seed = 20261129;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

async function call(method: string, params: unknown): Promise<unknown> {
  const r = await client!.request(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.result;
}

describe('kill -9 during logged jobs', () => {
  let images: { name: string; bytes: Uint8Array }[];
  beforeAll(async () => {
    images = await pngs(24, 160);
  });

  it(`keeps every finished run and marks killed ones interrupted (${KILLS} kills)`, async () => {
    const jobIds: string[] = [];
    const finished = new Set<string>();
    const onEvent = (e: StudioEvent) => {
      if (e.channel === 'job' && e.payload.type === 'done') finished.add(e.payload.jobId);
    };
    let modelId = '';
    let lastPid: number | undefined;
    for (let k = 0; k < KILLS; k++) {
      if (k % 5 === 0) {
        client?.stop();
        client = spawnClient();
        client.onEvent(onEvent);
      }
      // The engine answers (a restarted one after a kill): a new process each time. A call that reached the dying
      // process fails with "restarted: try again", as the client documents; so we do.
      for (let tries = 0; ; tries++) {
        const r = await client!.request('app.info', {});
        if (r.ok) break;
        expect(r.error.message).toMatch(/restarted/);
        expect(tries).toBeLessThan(5);
      }
      // After every kill, not only after the last: the file the dead engine was writing is sound (a second,
      // read-only connection beside the new engine's: WAL readers see the last committed state).
      if (k > 0) {
        const ro = new Database(path.join(home.dir, 'log', 'runs.db'), { readonly: true, fileMustExist: true });
        try {
          expect(ro.pragma('integrity_check', { simple: true }), `after kill ${k}`).toBe('ok');
          expect(ro.pragma('foreign_key_check'), `after kill ${k}`).toEqual([]);
        } finally {
          ro.close();
        }
      }
      // The restarted engine itself closed the previous engine's open runs (as interrupted) when it opened the log.
      for (const id of jobIds.slice(-2))
        expect(['done', 'interrupted']).toContain(((await call('runs.get', { id })) as { status: string }).status);
      expect(client!.pid).toBeDefined();
      expect(client!.pid).not.toBe(lastPid);
      lastPid = client!.pid;
      if (!modelId) modelId = ((await call('models.import', { file: { name: 'tiny.onnx', bytes: tinyNchw() } })) as { id: string }).id;
      // Two jobs: one running, one queued behind it; then the kill at a random moment.
      for (let j = 0; j < 2; j++) jobIds.push(((await call('classify.batch', { images, modelId, topK: 3 })) as { jobId: string }).jobId);
      // Every fourth round lets the first job finish before the kill, so finished runs exist however loaded the
      // machine is; the other rounds kill at a random moment.
      if (k % 4 === 3) {
        const first = jobIds[jobIds.length - 2];
        for (let i = 0; i < 2400 && !finished.has(first); i++) await new Promise((r) => setTimeout(r, 25));
        expect(finished.has(first)).toBe(true);
      }
      await new Promise((r) => setTimeout(r, random() * 400));
      const killed = client!.pid!;
      process.kill(killed, 'SIGKILL');
      // Wait until the client saw the death and started a new engine: a message sent to the dead child's closed
      // channel would be an unhandled error of the test harness, not of the log.
      for (let i = 0; i < 200 && client!.pid === killed; i++) await new Promise((r) => setTimeout(r, 25));
      expect(client!.pid).not.toBe(killed);
    }
    client!.stop();
    client = null;

    const db = path.join(home.dir, 'log', 'runs.db');
    expect(fs.existsSync(db)).toBe(true);
    const store = RunStore.open(path.join(home.dir, 'log')); // the next start: marks the last kill's runs
    try {
      expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.database.pragma('foreign_key_check')).toEqual([]);
      store.markInterrupted();
      const statuses: Record<string, number> = {};
      for (const id of jobIds) {
        const run = store.get(id);
        statuses[run.status] = (statuses[run.status] ?? 0) + 1;
        expect(['done', 'interrupted']).toContain(run.status);
        if (finished.has(id)) expect(run.status).toBe('done');
        if (run.status === 'done') {
          // Complete: every image's result and every input file, byte for byte.
          expect(run.items).toHaveLength(images.length);
          const inputs = run.artifacts.filter((a) => a.role === 'input');
          expect(inputs).toHaveLength(images.length);
          for (const a of inputs) expect(BlobStore.hash(store.artifact(a.id).bytes)).toBe(a.sha256);
          expect(run.ended).not.toBeNull();
        } else expect(run.error?.code).toBe('interrupted');
      }
      console.log(`kill test: ${jobIds.length} runs, ${JSON.stringify(statuses)}`);
      expect(statuses.interrupted).toBeGreaterThan(0);
      expect(statuses.done).toBeGreaterThan(0);
      expect(store.list({ status: 'running' }).total + store.list({ status: 'queued' }).total).toBe(0);
    } finally {
      store.close();
    }
    // The killed engines' lock files were swept; the last store removed its own.
    expect(fs.readdirSync(path.join(home.dir, 'log', 'engines')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 300_000); // ~40 s alone; more when the whole suite shares two cores
});
