// The PyTorch peer's environment for bench/train: equal threads, and the OpenMP build of OpenBLAS.
//
// Debian's alternatives point libblas.so.3 at openblas-pthread whenever it is installed (it outranks
// libopenblas0-openmp, which the README asks for). The pthread build keeps its own spinning thread pool beside
// torch's OpenMP one, so "2 threads" would be up to 3 busy threads, and the two pools contend: on this shared
// 2-core machine single runs measured a LeNet-5 step at a median 65 ms against 11 ms and a linear head's at
// 20 ms against 0.41 ms (under load the difference comes and goes). LD_LIBRARY_PATH makes torch load the
// OpenMP build, which runs on torch's own OpenMP threads: the same thread count as ours.
import fs from 'node:fs';

export const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

export function peerEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (fs.existsSync(`${OPENBLAS_OPENMP}/libblas.so.3`))
    env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}
