// The PyTorch peer of bench/train/run.ts (torch_train.py), alive for the whole run: one JSON line in, one out.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PEER_INSTALL, PYTHON } from '../lib/torch';
import { peerEnv } from './peer-env';

const here = path.dirname(fileURLToPath(import.meta.url));

export class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';
  constructor(threads: number) {
    this.child = spawn(PYTHON, [path.join(here, 'torch_train.py'), String(threads)], { env: peerEnv(threads) });
    this.child.stderr.on('data', (d) => (this.stderr += String(d)));
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  async ask<T = Record<string, number>>(cmd: string, args: object = {}): Promise<T> {
    this.child.stdin.write(JSON.stringify({ cmd, ...args }) + '\n');
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch peer exited: ${this.stderr.trim().split('\n').slice(-5).join('\n')}\n${PEER_INSTALL}`);
    const out = JSON.parse(r.value);
    if (out.error) throw new Error(`PyTorch peer, ${cmd}: ${out.error}`);
    return out as T;
  }
  close(): void {
    this.child.stdin.end();
  }
}
