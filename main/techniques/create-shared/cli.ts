// What the four create commands share: common flags, reading images, resolving the model, writing the
// result (PNG/JPEG by extension, optional GIF) and the documented --json line.
import fs from 'node:fs/promises';
import { Engine } from '../../engine/engine';
import type { CliIO } from '../../cli/io';
import { EXIT, UsageError } from '../../cli/io';
import type { CreateTool } from './params';
import { quietReporter } from './progress';
import { preferredModel, runCreate, TOOL_LABEL } from './run';
import { releaseRunner } from './net';
import { inputsOf, loggable } from './run-record';
import { logCliRun } from '../../cli/log-run';
import { readImageFile } from '../../image/read-file';
import { checkOutPath } from '../../util/out-path';

export const COMMON_FLAGS = {
  model: { type: 'string' },
  size: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string', default: '0' },
  out: { type: 'string' },
  gif: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `  --model ID|PATH  model (default: VGG19 for style/texture when on disk, else Tiny Darknet or the first model)
  --size N         longer side of the working image in pixels
  --steps K        optimisation steps (per octave for dream, per layer for invert, per scale for style)
  --seed S         random seed (same seed, same output)
  --out FILE       .png (provenance in text chunks) or .jpg
  --gif FILE       also write a time-lapse GIF
  --json           print {"out","steps","loss_start","loss_end","ms","peak_rss_mb"}`;

export const int = (v: string | undefined, flag: string, min = 1): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} takes an integer ≥ ${min}`);
  return n;
};

export const num = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number`);
  return n;
};

export async function readImage(file: string | undefined, flag: string): Promise<{ name: string; bytes: Uint8Array }> {
  if (!file) throw new UsageError(`${flag} FILE is required`);
  return { name: file, bytes: await readImageFile(file) };
}

export interface CommonValues {
  model?: string;
  size?: string;
  steps?: string;
  seed?: string;
  out?: string;
  gif?: string;
  json?: boolean;
}

/** Runs a tool for the CLI: params are the tool's own (common ones are added here). */
export async function runCreateCli(tool: CreateTool, v: CommonValues, params: Record<string, unknown>, io: CliIO): Promise<number> {
  if (!v.out) throw new UsageError('--out FILE is required');
  checkOutPath(v.out);
  const format = /\.jpe?g$/i.test(v.out) ? 'jpeg' : 'png';
  const engine = new Engine({ transport: 'cli' });
  try {
    const reg = engine.services.models;
    const id = v.model ?? preferredModel(tool, reg.list())?.id;
    if (!id) throw new UsageError('--model ID|PATH is required (no model on disk)');
    const meta = await reg.resolveAsync(id);
    const full = {
      ...params,
      modelId: meta.id,
      size: int(v.size, '--size', 32),
      steps: int(v.steps, '--steps'),
      seed: int(v.seed, '--seed', 0),
      previewEvery: v.gif ? 2 : 0,
      timelapse: !!v.gif,
      format,
    };
    const request = defined(full) as Record<string, unknown>;
    const name = (inputsOf(request)[0]?.name ?? '').split(/[\\/]/).pop();
    // Logged like the UI's jobs, in the same database: inputs, parameters, the written image as output.
    const r = await logCliRun(
      engine,
      io,
      {
        kind: `create-${tool}`,
        label: `${TOOL_LABEL[tool]}${name ? ` of ${name}` : ''} with ${meta.name}`,
        modelId: meta.id,
        modelSha256: meta.sha256,
        params: loggable(request),
        seed: full.seed,
        inputs: inputsOf(request),
      },
      async () => {
        const r = await runCreate(tool, meta, request, quietReporter());
        await fs.writeFile(v.out!, r.bytes);
        if (v.gif && r.gif) await fs.writeFile(v.gif, r.gif);
        return r;
      },
    );
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    if (v.json)
      io.out(JSON.stringify({ out: v.out, steps: r.steps, loss_start: r.lossStart, loss_end: r.lossEnd, ms: r.ms, peak_rss_mb: peak }));
    else {
      io.out(
        `${TOOL_LABEL[tool]} with ${meta.name} on ${r.layers.join(', ')}: ${r.width}×${r.height}, ${r.steps} steps, loss ${fmt(r.lossStart)} → ${fmt(r.lossEnd)} in ${(r.ms / 1000).toFixed(1)} s`,
      );
      for (const n of r.notes) io.out(`note: ${n}`);
      io.out(`wrote ${v.out}${v.gif ? ` and ${v.gif}` : ''}`);
    }
    return EXIT.ok;
  } finally {
    await releaseRunner();
    await engine.dispose();
  }
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4));

/** Drops undefined flags (so the zod defaults apply), keeping image bytes as they are. */
function defined(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(defined);
  if (!o || typeof o !== 'object' || o instanceof Uint8Array) return o;
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, defined(x)]),
  );
}
