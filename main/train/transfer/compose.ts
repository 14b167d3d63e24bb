// Exported graphs built around a trained one, so every studio tool can feed it as it feeds any model
// (three channels at the model's preprocessing): a head on top of the pretrained base it was trained on,
// and a grey conversion in front of networks trained on one channel.
import { aInt, cloneModel, DT, floatTensor, realInputs, type Model, type Node } from '../../onnx/ir';

/**
 * base (output `embedding` [N, D]) followed by head (input `embedding`, output `logits`): one model from the
 * base's image input to the head's logits. Head tensors are renamed under `head/` so nothing collides.
 */
export function attachHead(base: Model, head: Model): Model {
  const m = cloneModel(base);
  const g = m.graph;
  const hIn = realInputs(head.graph)[0].name;
  const hOut = head.graph.outputs.find((o) => o.name === 'logits') ?? head.graph.outputs[0];
  const taken = new Set([...g.nodes.flatMap((n) => n.outputs), ...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  const outName = taken.has('logits') ? 'trained_logits' : 'logits';
  const rename = (t: string): string => (t === hIn ? 'embedding' : t === hOut.name ? outName : t ? `head/${t}` : t);
  for (const [k, t] of head.graph.initializers) g.initializers.set(rename(k), { ...t, name: rename(k) });
  for (const n of head.graph.nodes)
    g.nodes.push({ ...n, name: `head/${n.name}`, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) } as Node);
  g.outputs = [{ name: outName, elemType: DT.FLOAT, shape: ['N', hOut.shape?.[1] ?? 'K'] }];
  g.valueInfo.clear();
  return { ...m, producerName: 'vision-studio-train' };
}

/** Rec. 601 luma: a grey photo (R = G = B) comes back exactly, a colour one as the usual grey. */
const LUMA = [0.299, 0.587, 0.114];

/** A 1-channel network behind a 1×1 conv that turns the studio's 3-channel input into grey. */
export function rgbToGrey(model: Model): Model {
  const m = cloneModel(model);
  const g = m.graph;
  const input = realInputs(g)[0];
  const rgb = `${input.name}_rgb`;
  g.initializers.set('grey/weight', floatTensor('grey/weight', [1, 3, 1, 1], LUMA));
  g.nodes.unshift({
    name: 'grey',
    opType: 'Conv',
    domain: '',
    inputs: [rgb, 'grey/weight'],
    outputs: [input.name],
    attrs: { kernel_shape: { type: 'ints', value: [1, 1] }, group: aInt(1) },
  });
  g.inputs = g.inputs.map((v) =>
    v === input ? { ...v, name: rgb, shape: v.shape ? [v.shape[0], 3, ...v.shape.slice(2)] : undefined } : v,
  );
  g.valueInfo.clear();
  return m;
}
