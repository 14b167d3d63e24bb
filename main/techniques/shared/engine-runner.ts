// The gradient core's runner (main/onnx/runner.ts) shared by every technique in this process (fed the
// cached IR from modelIR, so a model is parsed once), and a
// cached logits-only forward session for evaluating candidate images in batches.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { GradRunner } from '../../onnx/runner';
import { encodeModel } from '../../onnx/proto';
import { realInputs } from '../../onnx/ir';
import { truncateAt } from '../../onnx/surgery';
import { defaultThreads } from '../../runtime/sessions';
import { logitsTensor } from '../cam/layers';
import { modelIR } from './graph-index';
import { withExtraOutputs } from './onnx-outputs';

let runner: GradRunner | null = null;
export function gradRunner(): GradRunner {
  runner ??= new GradRunner({ threads: defaultThreads() });
  return runner;
}

export interface LogitsModel {
  logits: string;
  input: string;
  /** Largest batch the graph takes (1 when its batch dimension is fixed). */
  maxBatch: number;
  run(input: Float32Array, dims: number[]): Promise<Float32Array[]>;
}

const forwards = new Map<string, Promise<LogitsModel>>();

/** Pre-softmax scores of a batch of tensors; one Float32Array per image. */
export function logitsModel(file: string, outputName?: string): Promise<LogitsModel> {
  let p = forwards.get(file);
  if (!p) {
    p = (async () => {
      const { model, index } = modelIR(file);
      const logits = logitsTensor(model, index, outputName);
      const inp = realInputs(model.graph)[0];
      const input = inp.name;
      const n0 = inp.shape?.[0];
      const opts: ort.InferenceSession.SessionOptions = {
        intraOpNumThreads: defaultThreads(),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      };
      const extra = model.graph.outputs.some((o) => o.name === logits) ? [] : [logits];
      // The file's own bytes (plus the pre-softmax output when needed); through the IR only as a fallback.
      const session = await ort.InferenceSession.create(withExtraOutputs(fs.readFileSync(file), extra), opts).catch(() =>
        ort.InferenceSession.create(encodeModel(truncateAt(model, [logits])), opts),
      );
      return {
        logits,
        input,
        maxBatch: typeof n0 === 'number' && n0 > 0 ? n0 : 16,
        async run(data, dims) {
          const out = (await session.run({ [input]: new ort.Tensor('float32', data, dims) }))[logits];
          const all = out.data as Float32Array;
          const k = all.length / dims[0];
          return Array.from({ length: dims[0] }, (_, i) => all.subarray(i * k, (i + 1) * k));
        },
      };
    })();
    forwards.set(file, p);
    p.catch(() => forwards.delete(file));
  }
  return p;
}
