// Transfer learning starts from "what feeds the classifier": the feature vector a pretrained network's last
// linear layer reads. Found from the graph alone (any catalog or imported CNN), and cut out as a model whose
// one output is that vector [N, D], so embeddings are computed once and a new head is trained on them.
import { StudioError } from '../../api/contract';
import { aInt, attrInt, cloneModel, DT, realInputs, type Model, type Node } from '../../onnx/ir';
import { inferShapes } from '../../onnx/shapes';
import { pruneDead } from '../../onnx/surgery';
import { GraphIndex } from '../../techniques/shared/graph-index';
import { logitsTensor } from '../../techniques/cam/layers';

/** Ops between the classifier and the logits that carry values through unchanged. */
const PASS = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape', 'Squeeze', 'Softmax', 'LogSoftmax']);
/** Ops between the feature vector and the classifier that only reshape it. */
const RESHAPE = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape', 'Squeeze']);
const GLOBAL_POOL = new Set(['GlobalAveragePool', 'GlobalMaxPool']);

export interface EmbeddingInfo {
  /** The tensor the embedding is computed from. */
  source: string;
  /** Whether a global average pool is applied to `source` (a 1×1-conv classifier before the pool). */
  pooled: boolean;
  /** The classifier node that read it. */
  classifier: string;
  /** One line for the UI and logs. */
  reason: string;
}

function isLinear(n: Node, idx: GraphIndex): boolean {
  if (n.opType === 'Gemm' || n.opType === 'MatMul') return n.inputs.slice(1).some((i) => i && idx.isConst(i));
  if (n.opType === 'Conv') {
    const w = idx.graph.initializers.get(n.inputs[1]);
    return !!w && w.dims.length === 4 && w.dims[2] === 1 && w.dims[3] === 1 && attrInt(n, 'group', 1) === 1;
  }
  return false;
}

export function findEmbedding(model: Model): EmbeddingInfo {
  const idx = new GraphIndex(model.graph);
  let t = logitsTensor(model, idx);
  let poolAfter: Node | null = null;
  // Walk back from the logits to the last linear layer, through reshapes and (for 1×1-conv heads) the pool.
  for (let guard = 0; guard < 32; guard++) {
    const p = idx.producer.get(t);
    if (!p) break;
    if (isLinear(p, idx)) {
      let src = idx.dataInput(p);
      if (!src) break;
      // Feature vectors are often flattened on their way in: start from the tensor before the reshapes.
      for (let g2 = 0; g2 < 8; g2++) {
        const q = idx.producer.get(src);
        if (!q || !RESHAPE.has(q.opType)) break;
        const next = idx.dataInput(q);
        if (!next) break;
        src = next;
      }
      const pooled = p.opType === 'Conv' && poolAfter !== null;
      return {
        source: src,
        pooled,
        classifier: p.name,
        reason: `${pooled ? 'global average of ' : ''}"${src}", the input of the classifier ${p.opType} "${p.name}"`,
      };
    }
    if (GLOBAL_POOL.has(p.opType) || (p.opType === 'ReduceMean' && !poolAfter)) poolAfter = p;
    else if (!PASS.has(p.opType)) break;
    const next = idx.dataInput(p);
    if (!next) break;
    t = next;
  }
  throw new StudioError(
    'bad_model',
    'no linear classifier (Gemm, MatMul or a 1×1 Conv) found before the logits: this model cannot be a transfer-learning base',
  );
}

/**
 * The base model cut at its embedding: one output `embedding` of shape [N, D] (global-average-pooled and
 * flattened as needed), with a symbolic batch so images go through in batches.
 */
export function embeddingModel(base: Model, info = findEmbedding(base)): { model: Model; dim: number } {
  const m = cloneModel(base);
  const g = m.graph;
  let t = info.source;
  const node = (opType: string, input: string, out: string, attrs: Node['attrs'] = {}): string => {
    g.nodes.push({ name: `embedding/${out}`, opType, domain: '', inputs: [input], outputs: [out], attrs });
    return out;
  };
  const shapes = inferShapes(base);
  const rank = shapes.get(t)?.shape?.length ?? 2;
  if (info.pooled || rank === 4) {
    const spatial = shapes.get(t)?.shape?.slice(2);
    if (info.pooled || spatial?.some((d) => d !== 1)) t = node('GlobalAveragePool', t, 'embedding/gap');
  }
  t = node('Flatten', t, 'embedding', { axis: aInt(1) });
  g.outputs = [{ name: 'embedding', elemType: DT.FLOAT, shape: ['N', 'D'] }];
  pruneDead(g);
  const input = realInputs(g)[0];
  if (input?.shape?.length) input.shape = ['N', ...input.shape.slice(1)];
  g.valueInfo.clear();
  const out = inferShapes(m).get('embedding')?.shape;
  const dim = typeof out?.[1] === 'number' ? out[1] : NaN;
  if (!Number.isFinite(dim)) throw new StudioError('bad_model', `the embedding ${info.reason} has no fixed size`);
  return { model: m, dim };
}
