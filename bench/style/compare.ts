// Shared by bench/style and bench/dream: run the PyTorch peer and our CLI each in their own process,
// then print wall time (optimisation loop and whole process) and peak RSS with ours / PyTorch ratios.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PEER_INSTALL } from '../lib/torch';

export interface Side {
  json: Record<string, number | string>;
  wallMs: number;
}

export function peer(python: string, script: string, args: string[]): Side {
  const t0 = performance.now();
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(
      `${path.basename(script)} failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}\nInstall the peer with: ${PEER_INSTALL}`,
    );
  return { json: JSON.parse(r.stdout.trim().split('\n').at(-1)!), wallMs: performance.now() - t0 };
}

export function ours(root: string, args: string[], threads: string): Side {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/style/cli-entry.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, VISION_STUDIO_THREADS: threads },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`vision-studio ${args[0]} failed: ${r.stderr}`);
  return { json: JSON.parse(r.stdout.trim().split('\n').at(-1)!), wallMs: performance.now() - t0 };
}

export function report(torch: Side, mine: Side, note = ''): void {
  const n = (x: unknown) => Number(x);
  const rows: [string, number, number][] = [
    ['optimisation ms', n(mine.json.ms), n(torch.json.ms)],
    ['process wall ms', mine.wallMs, torch.wallMs],
    ['peak RSS MB', n(mine.json.peak_rss_mb), n(torch.json.peak_rss_mb)],
  ];
  console.log('measure            ours        pytorch     ours/pytorch');
  for (const [name, a, b] of rows)
    console.log(`${name.padEnd(18)} ${a.toFixed(0).padStart(10)}  ${b.toFixed(0).padStart(10)}  ${(a / b).toFixed(2).padStart(8)}`);
  console.log(
    `loss               ${n(mine.json.loss_start).toPrecision(4)} → ${n(mine.json.loss_end).toPrecision(4)}   pytorch ${n(torch.json.loss_start).toPrecision(4)} → ${n(torch.json.loss_end).toPrecision(4)}`,
  );
  if (note) console.log(note);
}
