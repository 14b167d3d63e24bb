// Runs a Python peer script with Debian's python3-torch (never a runtime dependency) and parses its JSON.
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.VISION_STUDIO_PYTHON ?? '/usr/bin/python3';

export function runPython<T>(script: string, args: string[]): T {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(
      `${script} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}\n` +
        `Install the peer with: apt-get install -y python3-torch python3-torchvision python3-onnx`,
    );
  }
  const lastLine = r.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(lastLine) as T;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
