// vision-studio layers: readable layer names, tensors, shapes, receptive fields and suggested roles.
import { parseArgs } from 'node:util';
import { listLayers } from '../../onnx/layers.js';
import { resolveModelArg } from '../model-input.js';
import { loadModel } from '../../onnx/proto.js';
import { EXIT, stdio, UsageError, type CliIO } from '../io.js';
import { reportError } from '../../onnx/cli-errors.js';

export const layersHelp = `Usage: vision-studio layers --model M [--all] [--json]

  Lists the model's layers: readable name (conv3_2, relu4_1, layer3 …), tensor, shape at the native
  input size, receptive field (input pixels), stride, and a suggested role (style, content, dream, cam).
  Without --all, only named layers and layers with a role are shown.`;

/**
 * Returns the exit code; prints results to stdout and errors to stderr (also when called outside the
 * CLI dispatcher, which handles the same errors identically).
 */
export async function layersCommand(argv: string[], io: CliIO = stdio): Promise<number> {
  try {
    return await layersMain(argv, io);
  } catch (e) {
    return reportError('layers', e, io);
  }
}

async function layersMain(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return (io.out(layersHelp), EXIT.ok);
  if (!values.model) throw new UsageError('--model is required');
  const meta = await resolveModelArg(values.model);
  const model = loadModel(meta.path);
  const native = meta.inputSize;
  const layers = listLayers(model, native).filter((l) => values.all || l.name !== l.tensor || l.roles.length > 0);
  if (values.json) {
    io.out(JSON.stringify(layers));
    return EXIT.ok;
  }
  const rows = layers.map((l) => [
    l.name,
    l.tensor,
    l.op,
    `[${l.shape.join(',')}]`,
    String(l.receptiveField),
    String(l.stride),
    l.roles.join(','),
  ]);
  const head = ['name', 'tensor', 'op', 'shape', 'rf', 'stride', 'role'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows])
    io.out(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  return EXIT.ok;
}
