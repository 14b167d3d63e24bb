// One ONNX Runtime session per model file, cached and released explicitly. The engine process owns them all:
// many processes or workers each loading ORT crash or thrash on a small machine.
import fs from 'node:fs';
import os from 'node:os';
import './no-telemetry'; // also for in-process users (tests, scripts) that reach ORT through the cache
import * as ort from 'onnxruntime-node';
import { StudioError } from '../api/contract';

export function defaultThreads(): number {
  const env = Number(process.env.VISION_STUDIO_THREADS);
  if (Number.isFinite(env) && env > 0) return env;
  return Math.max(1, os.availableParallelism());
}

export class SessionCache {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(private readonly maxSessions = 3) {}

  get(path: string, label = path): Promise<ort.InferenceSession> {
    let p = this.sessions.get(path);
    if (p) {
      // refresh LRU position
      this.sessions.delete(path);
      this.sessions.set(path, p);
      return p;
    }
    p = regularFile(path, label)
      .then(() =>
        ort.InferenceSession.create(path, {
          intraOpNumThreads: defaultThreads(),
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
        }),
      )
      .catch((e: unknown) => {
        this.sessions.delete(path);
        if (e instanceof StudioError) throw e;
        throw new StudioError('bad_model', `${label}: ONNX Runtime could not load it (${firstLine(e)}).`);
      });
    this.sessions.set(path, p);
    void this.evict();
    return p;
  }

  async release(path: string): Promise<void> {
    const p = this.sessions.get(path);
    this.sessions.delete(path);
    if (p) await p.then((s) => s.release()).catch(() => undefined);
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((k) => this.release(k)));
  }

  private async evict(): Promise<void> {
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      await this.release(oldest);
    }
  }
}

/** ONNX Runtime opens the path itself and would block forever on a FIFO: regular files only. */
async function regularFile(file: string, label: string): Promise<void> {
  const st = await fs.promises.stat(file).catch(() => null);
  if (!st) throw new StudioError('bad_model', `${label}: ONNX Runtime could not load it (file not found).`);
  if (!st.isFile()) throw new StudioError('bad_model', `${label}: not a regular file`);
}

export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}
