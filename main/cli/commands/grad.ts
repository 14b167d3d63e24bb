// vision-studio grad: d(objective)/d(input) of any ONNX CNN, for people checking their own models.
// Output contract (scripts rely on it): --json prints {"loss","grad_norm","shape","out"}.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { StudioError } from '../../api/contract.js';
import { resolveLayer, listLayers, type LayerInfo } from '../../onnx/layers.js';
import type { Objective } from '../../onnx/loss.js';
import { loadModelInput, resolveModelArg } from '../model-input.js';
import { encodeNpy } from '../../util/npy.js';
import { loadModel } from '../../onnx/proto.js';
import { GradRunner } from '../../onnx/runner.js';
import { EXIT, stdio, UsageError, type CliIO } from '../io.js';
import { reportError } from '../../onnx/cli-errors.js';
import { checkOutPath } from '../../util/out-path.js';

export const gradHelp = `Usage: vision-studio grad --model M --objective OBJ --image FILE [--size N] [--exact] [--out grad.npy] [--json]

  OBJ is one of
    sumsq:LAYER       sum of squares of a tensor
    channel:LAYER:C   sum of squares of channel C
    class:INDEX       the model output at INDEX (pre-softmax when the graph has no softmax)
    gram:LAYER        sum of squares of the Gram matrix normalised by C·H·W
  LAYER is a readable name from "vision-studio layers" (conv3_2, layer3) or a tensor name.
  --image takes a photo (preprocessed as the model expects) or a float32 NCHW .npy used as is.
  --out writes d(objective)/d(input) as a float32 NCHW .npy.
  --exact uses direct convolutions in plain NCHW (the way PyTorch computes them) instead of the default
    fast path (Winograd F(4×4,3×3) and blocked layouts): ~1.3-1.6× slower, float32 rounding like PyTorch's.`;

/** Parses OBJ against the model's layers and output. */
export function parseObjective(spec: string, layers: LayerInfo[], output: string): Objective {
  const [kind, ...rest] = spec.split(':');
  const layer = (name: string): string => {
    if (!name) throw new UsageError(`objective "${spec}" names no layer`);
    const l = resolveLayer(layers, name);
    if (!l) throw new UsageError(`no layer or tensor "${name}" (see vision-studio layers)`);
    return l.tensor;
  };
  switch (kind) {
    case 'sumsq':
      return { kind: 'sumsq', tensor: layer(rest.join(':')) };
    case 'gram':
      return { kind: 'gram', tensor: layer(rest.join(':')) };
    case 'channel': {
      const c = Number(rest.pop());
      if (!Number.isInteger(c) || c < 0) throw new UsageError(`channel objective needs a channel index: "${spec}"`);
      return { kind: 'channel', tensor: layer(rest.join(':')), channel: c };
    }
    case 'class': {
      const i = Number(rest[0]);
      if (rest.length !== 1 || !Number.isInteger(i) || i < 0) throw new UsageError(`class objective needs an index: "${spec}"`);
      return { kind: 'class', tensor: output, index: i };
    }
    default:
      throw new UsageError(`unknown objective "${spec}" (sumsq:LAYER, channel:LAYER:C, class:INDEX, gram:LAYER)`);
  }
}

/**
 * Returns the exit code; prints results to stdout and errors to stderr (also when called outside the
 * CLI dispatcher, which handles the same errors identically).
 */
export async function gradCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  try {
    return await gradMain(argv, io);
  } catch (e) {
    return reportError('grad', e, io);
  }
}

async function gradMain(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      objective: { type: 'string' },
      image: { type: 'string' },
      size: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      exact: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return (io.out(gradHelp), EXIT.ok);
  if (!values.model || !values.objective || !values.image) throw new UsageError('--model, --objective and --image are required');
  const size = values.size === undefined ? undefined : Number(values.size);
  if (size !== undefined && (!Number.isInteger(size) || size < 8 || size > 4096))
    throw new UsageError('--size must be an integer in 8..4096');
  if (values.out) checkOutPath(values.out, 'grad.npy');
  const meta = await resolveModelArg(values.model);
  const model = loadModel(meta.path);
  const layers = listLayers(model);
  const output = model.graph.outputs[0]?.name;
  if (!output) throw new StudioError('bad_model', 'model has no output');
  const objective = parseObjective(values.objective, layers, output);
  const input = await loadModelInput(values.image, meta, size);
  const runner = new GradRunner({ precision: values.exact ? 'exact' : 'fast' });
  try {
    const r = await runner.gradient(model, { objectives: [{ objective }] }, input.data, input.dims);
    let sq = 0;
    for (const v of r.grad) sq += v * v;
    const gradNorm = Math.sqrt(sq);
    if (values.out) fs.writeFileSync(values.out, encodeNpy({ data: r.grad, shape: r.dims }));
    if (values.json) io.out(JSON.stringify({ loss: r.loss, grad_norm: gradNorm, shape: r.dims, out: values.out ?? null }));
    else {
      io.out(`loss       ${r.loss}`);
      io.out(`grad_norm  ${gradNorm}`);
      io.out(`shape      [${r.dims.join(', ')}]`);
      if (values.out) io.out(`wrote      ${values.out}`);
    }
    return EXIT.ok;
  } finally {
    await runner.release();
  }
}
