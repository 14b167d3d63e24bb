// The owner of session options for the training engine: threads, optimisation level and the execution
// provider, chosen at run time from what onnxruntime-node offers on this machine. A GPU provider is used only
// after a probe session built and ran on it (WebGPU without an adapter, or a CUDA provider whose libraries
// were never fetched, fail there, not in the middle of a training run); the CPU is always the fallback.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DT, type Model } from '../onnx/ir';
import { encodeModel } from '../onnx/proto';
import { defaultThreads } from './sessions';

/** Preference order: the first one that works here is used. Names as onnxruntime-node spells them. */
const PREFERENCE = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
const require = createRequire(import.meta.url);
export type ProviderName = (typeof PREFERENCE)[number] | 'tensorrt';

export interface ProviderChoice {
  /** What the binding lists for this platform (bundled or not). */
  available: string[];
  chosen: ProviderName;
  /** Why each better provider was passed over. */
  rejected: { name: string; reason: string }[];
}

let choice: Promise<ProviderChoice> | null = null;

/** A one-node graph (y = x + x), enough to see whether a provider builds and runs a session. */
function probeModel(): Uint8Array {
  const v = (name: string) => ({ name, elemType: DT.FLOAT, shape: [1] });
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'vision-studio-probe',
    baseDir: null,
    graph: {
      name: 'probe',
      nodes: [{ name: 'add', opType: 'Add', domain: '', inputs: ['x', 'x'], outputs: ['y'], attrs: {} }],
      inputs: [v('x')],
      outputs: [v('y')],
      initializers: new Map(),
      valueInfo: new Map(),
    },
  };
  return encodeModel(model);
}

/**
 * Cheap reasons not to try a provider, checked before a probe session: a failed probe prints native errors
 * (ORT's provider bridge, Dawn's Vulkan adapter search) to the terminal of every CLI run.
 */
function absent(name: ProviderName): string | null {
  if (process.platform !== 'linux') return null;
  const binDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', 'linux', process.arch);
  if ((name === 'cuda' || name === 'tensorrt') && !fs.existsSync(path.join(binDir, 'libonnxruntime_providers_shared.so')))
    return 'the CUDA provider libraries were not installed with onnxruntime-node';
  const gpuNodes = ['/dev/dri', '/dev/nvidia0', '/dev/dxg'].filter((p) => fs.existsSync(p));
  if (name === 'webgpu' && gpuNodes.length === 0) return 'no GPU device on this machine';
  return null;
}

async function works(name: ProviderName): Promise<string | null> {
  if (name === 'cpu') return null;
  const why = absent(name);
  if (why) return why;
  try {
    const s = await ort.InferenceSession.create(probeModel(), { executionProviders: [name] });
    try {
      await s.run({ x: new ort.Tensor('float32', Float32Array.of(1), [1]) });
    } finally {
      await s.release();
    }
    return null;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160);
  }
}

/** Picks the provider once per process (VISION_STUDIO_PROVIDER forces one, e.g. `cpu`). */
export function chooseProvider(): Promise<ProviderChoice> {
  choice ??= (async () => {
    const listed = ort.listSupportedBackends().map((b) => b.name);
    const forced = process.env.VISION_STUDIO_PROVIDER as ProviderName | undefined;
    const candidates = forced ? [forced, 'cpu' as const] : PREFERENCE.filter((p) => p === 'cpu' || listed.includes(p));
    const rejected: ProviderChoice['rejected'] = [];
    for (const name of candidates) {
      const why = await works(name);
      if (why === null) return { available: listed, chosen: name, rejected };
      rejected.push({ name, reason: why });
    }
    return { available: listed, chosen: 'cpu', rejected };
  })();
  return choice;
}

export interface TrainSessionOptions {
  provider?: ProviderName;
  threads?: number;
  /** Fix the symbolic batch dimension N: ORT then folds the graph's shape arithmetic at creation. */
  batch?: number;
}

/**
 * A session for a training or evaluation graph. Level 'extended' rather than 'all': the graphs are fed
 * new weights every step, and layout transforms that pre-pack constant weights would not apply anyway.
 */
export async function createTrainSession(bytes: Uint8Array, opts: TrainSessionOptions = {}): Promise<ort.InferenceSession> {
  const provider = opts.provider ?? 'cpu';
  return ort.InferenceSession.create(bytes, {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    intraOpNumThreads: opts.threads ?? defaultThreads(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'extended',
    ...(opts.batch ? { freeDimensionOverrides: { N: opts.batch } } : {}),
  });
}
