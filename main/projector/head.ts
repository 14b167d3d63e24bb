// The model's own prediction for each image, from its embedding: the classifier that findEmbedding found (Gemm,
// MatMul, or a 1×1 Conv before global pooling) cut out as a model [N, D] → logits [N, C]. The embeddings come
// from the shared cache, so predictions cost one small matrix product, not a second pass through the network.
// Exact for a 1×1-conv head too: a linear map commutes with the global average pool.
import * as ort from 'onnxruntime-node';
import { DT, int64Tensor, type Model, type Node, type Tensor } from '../onnx/ir';
import { encodeModel } from '../onnx/proto';
import { createTrainSession } from '../runtime/ort';
import { GraphIndex } from '../techniques/shared/graph-index';
import type { EmbeddingInfo } from '../train/transfer/embedding';

const IN = 'projector/embedding';
const OUT = 'projector/logits';

/** The classifier as a model of its own, or null when its weights are not plain constants of the graph. */
export function classifierHead(base: Model, info: EmbeddingInfo, dim: number): Model | null {
  const g = base.graph;
  const idx = new GraphIndex(g);
  const cls = g.nodes.find((n) => n.name === info.classifier);
  if (!cls) return null;
  const data = idx.dataInput(cls);
  if (!data) return null;
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>();
  for (const input of cls.inputs) {
    if (!input || input === data) continue;
    const init = g.initializers.get(input);
    const producer = idx.producer.get(input);
    if (init) initializers.set(input, init);
    else if (producer?.opType === 'Constant') nodes.push(producer);
    else return null;
  }
  let feed = IN;
  if (cls.opType === 'Conv') {
    initializers.set('projector/shape', int64Tensor('projector/shape', [4], [0, dim, 1, 1]));
    nodes.push({
      name: 'projector/unflatten',
      opType: 'Reshape',
      domain: '',
      inputs: [IN, 'projector/shape'],
      outputs: ['projector/x'],
      attrs: {},
    });
    feed = 'projector/x';
  }
  const raw = cls.opType === 'Conv' ? 'projector/raw' : OUT;
  nodes.push({ ...cls, inputs: cls.inputs.map((i) => (i === data ? feed : i)), outputs: [raw] });
  if (cls.opType === 'Conv')
    nodes.push({ name: 'projector/flatten', opType: 'Flatten', domain: '', inputs: [raw], outputs: [OUT], attrs: {} });
  return {
    ...base,
    graph: {
      name: 'classifier',
      nodes,
      inputs: [{ name: IN, elemType: DT.FLOAT, shape: ['N', dim] }],
      outputs: [{ name: OUT, elemType: DT.FLOAT, shape: ['N', 'C'] }],
      initializers,
      valueInfo: new Map(),
    },
  };
}

export interface Predictions {
  /** Output index of the top class per image. */
  index: Int32Array;
  /** Its softmax probability. */
  confidence: Float32Array;
}

/** Runs the head over n×dim embeddings in batches; null when the head's output does not look like logits. */
export async function predict(head: Model, x: Float32Array, n: number, dim: number, signal?: AbortSignal): Promise<Predictions> {
  const session = await createTrainSession(encodeModel(head));
  const index = new Int32Array(n);
  const confidence = new Float32Array(n);
  try {
    const batch = 1024;
    for (let s = 0; s < n; s += batch) {
      signal?.throwIfAborted();
      const m = Math.min(batch, n - s);
      const input = new ort.Tensor('float32', x.subarray(s * dim, (s + m) * dim), [m, dim]);
      const out = (await session.run({ [IN]: input }))[OUT];
      const logits = out.data as Float32Array;
      const c = logits.length / m;
      for (let i = 0; i < m; i++) {
        let best = 0;
        let max = -Infinity;
        for (let j = 0; j < c; j++)
          if (logits[i * c + j] > max) {
            max = logits[i * c + j];
            best = j;
          }
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp(logits[i * c + j] - max);
        index[s + i] = best;
        confidence[s + i] = 1 / sum;
      }
    }
  } finally {
    await session.release();
  }
  return { index, confidence };
}
