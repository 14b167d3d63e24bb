// Runs a Python peer script with Debian's python3-torch (never a runtime dependency) and parses its JSON.
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.VISION_STUDIO_PYTHON ?? '/usr/bin/python3';

/** The peer's packages: PyTorch, torchvision and onnx from Debian, and OpenBLAS so PyTorch's BLAS is a real one. */
export const PEER_INSTALL = 'apt-get install -y python3-torch python3-torchvision python3-onnx libopenblas0-openmp';

export function runPython<T>(script: string, args: string[]): T {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(
      `${script} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}\n` + `Install the peer with: ${PEER_INSTALL}`,
    );
  }
  const lastLine = r.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(lastLine) as T;
}

/**
 * Refuses a peer handicapped by its BLAS: Debian's python3-torch calls the system libblas.so.3, which is
 * the unoptimised reference BLAS (~6 GFLOP/s) until OpenBLAS provides it. Convolutions go through oneDNN
 * either way, but Gram matrices and Linear layers would make PyTorch look several times slower than it is.
 */
export function requireFastPeerBlas(): void {
  const code = 'import torch,time\nb=torch.randn(1024,1024)\nb@b\nt=time.perf_counter()\nb@b\nprint(2*1024**3/(time.perf_counter()-t)/1e9)';
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  const gflops = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(gflops))
    throw new Error(`cannot run PyTorch (${PYTHON}): ${r.stderr.trim().split('\n').at(-1)}\nInstall the peer with: ${PEER_INSTALL}`);
  if (gflops < 40)
    throw new Error(
      `PyTorch's matrix multiply runs at ${gflops.toFixed(0)} GFLOP/s here: it is using the reference BLAS, which would ` +
        `make the peer look slow. Install OpenBLAS for it: apt-get install -y libopenblas0-openmp`,
    );
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
