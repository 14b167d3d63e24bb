// vision-studio layers: readable layer names, tensors, shapes, parameters, MACs, receptive fields and suggested
// roles at an input size (the architecture view's facts, main/onnx/arch/, as a table or JSON).
import { parseArgs } from 'node:util';
import { resolveModelArg } from '../model-input.js';
import { loadModel } from '../../onnx/proto.js';
import { describeWithLayers } from '../../onnx/arch/describe.js';
import { EXIT, stdio, UsageError, type CliIO } from '../io.js';
import { reportError } from '../../onnx/cli-errors.js';

export const layersHelp = `Usage: vision-studio layers --model M [--size N|HxW] [--all] [--json]

  Lists the model's layers: readable name (conv3_2, relu4_1, layer3 …), tensor, output shape, learnable
  parameters, MACs (multiply-accumulates; FLOPs are 2 × MACs), receptive field and effective stride (input
  pixels along H) and a suggested role (style, content, dream, cam), at the model's input size or --size.
  Without --all, only named layers and layers with a role are shown; the totals always cover the whole model.
  --json prints {"model", "input": [N, C, H, W], "params", "macs", "layers": [{"name", "op", "shape",
  "params", "macs", "rf", "stride", …}]}.`;

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

function parseSize(v: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--size must be N or HxW in pixels (got "${v}")`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** 1234567 → "1,234,567"; null (a shape shape inference could not follow) → "?". */
const count = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));
const mega = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : `${(n / 1e6).toFixed(1)} M`);

async function layersMain(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      size: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return (io.out(layersHelp), EXIT.ok);
  if (!values.model) throw new UsageError('--model is required');
  const meta = await resolveModelArg(values.model);
  const size = values.size ? parseSize(values.size) : meta.inputSize;
  const { description: d, layers } = describeWithLayers(loadModel(meta.path), { name: meta.id, size, layout: meta.preprocessing.layout });
  const byTensor = new Map(d.nodes.map((n) => [n.outputs[0], n]));
  const rows = layers
    .filter((l) => values.all || l.name !== l.tensor || l.roles.length > 0)
    .map((l) => {
      const n = byTensor.get(l.tensor);
      return {
        name: l.name,
        tensor: l.tensor,
        op: l.op,
        shape: n?.shape ?? null,
        params: n?.params ?? 0,
        macs: n?.macs ?? null,
        memoryBytes: n?.memoryBytes ?? null,
        rf: l.receptiveField,
        stride: l.stride,
        padding: l.padding,
        block: n?.block ?? null,
        roles: l.roles,
      };
    });
  if (values.json) {
    io.out(
      JSON.stringify({
        model: d.model,
        input: d.input,
        params: d.params,
        macs: d.macs,
        flops: 2 * d.macs,
        warnings: d.warnings,
        layers: rows,
      }),
    );
    return EXIT.ok;
  }
  const table = rows.map((r) => [
    r.name,
    r.tensor,
    r.op,
    r.shape ? `[${r.shape.join(',')}]` : '?',
    count(r.params),
    count(r.macs),
    String(r.rf),
    String(r.stride),
    r.roles.join(','),
  ]);
  const head = ['name', 'tensor', 'op', 'shape', 'params', 'MACs', 'rf', 'stride', 'role'];
  const numeric = new Set([4, 5, 6, 7]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  for (const r of [head, ...table])
    io.out(
      r
        .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
  io.out(
    `total (whole model, input [${d.input.join(', ')}]): ${count(d.params)} parameters, ${count(d.macs)} MACs (${mega(d.macs)}MACs = ${mega(2 * d.macs)}FLOPs)`,
  );
  for (const w of d.warnings) io.out(`note: ${w}`);
  return EXIT.ok;
}
