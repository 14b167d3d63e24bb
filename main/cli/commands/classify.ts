// vision-studio classify <files or folders...> [--model ID|PATH] [--top K] [--json]
import { parseArgs } from 'node:util';
import type { ClassifyResult } from '../../api/contract';
import { classifyMany } from '../../classify/classify';
import { loadModel, runSpec } from '../../api/handlers/classify';
import { Engine } from '../../engine/engine';
import { collectImages } from '../collect-images';
import { EXIT, UsageError, type CliIO } from '../io';
import { readImageFile } from '../../image/read-file';

export const classifyHelp = `Usage: vision-studio classify <files or folders...> [--model ID|PATH] [--top K] [--json]

Classifies images (JPEG, PNG, WebP, GIF first frame, TIFF, BMP); folders are searched recursively.
  --model ID|PATH  catalog id, imported model id, or a path to an .onnx (a sidecar X.json is honoured);
                   default: the first model on disk
  --top K          how many classes to print (default 5)
  --json           print one JSON array: {"file","model","top":[{"index","label","probability"}],"ms"}
                   per image, or {"file","model","error","ms"} for a file that failed
Exit codes: 0 all classified, 3 some files failed (the others are printed), 1 nothing could run, 2 usage.`;

export async function classifyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      top: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (io.out(classifyHelp), EXIT.ok);
  const k = Number(values.top);
  if (!Number.isInteger(k) || k < 1 || k > 100) throw new UsageError('--top takes a whole number from 1 to 100');
  if (positionals.length === 0) throw new UsageError('name at least one image file or folder');
  const { files, missing } = collectImages(positionals);
  if (files.length === 0 && missing.length === 0) {
    io.err('no images found in the folders given');
    return EXIT.failure;
  }
  const engine = new Engine({ transport: 'cli' });
  try {
    const modelId = values.model ?? engine.services.models.defaultModelId();
    if (!modelId) {
      io.err('No model on disk: run `vision-studio models pull mobilenetv2-12` or pass --model path/to/model.onnx');
      return EXIT.failure;
    }
    const model = await loadModel(engine.services, modelId);
    const all = [...files, ...missing];
    // Logged like a UI batch, in the same database: one run, inputs as artifacts, one item per image.
    const spec = runSpec(model, k, []);
    // A logging failure (full disk) is said once and does not fail the classification.
    let logError = '';
    const logged = <T>(write: () => T): T | null => {
      try {
        return write();
      } catch (e) {
        if (!logError) io.err((logError = `run log: ${e instanceof Error ? e.message : String(e)}`));
        return null;
      }
    };
    const run = logged(() =>
      engine.services.log.begin({
        kind: 'classify-batch',
        label: `Classify ${all.length} images with ${model.meta.name} (CLI)`,
        ...spec,
        params: { ...(spec.params as object), files: all },
      }),
    );
    // A path that does not exist is reported like any other failed file: an entry with its error.
    const load = async (f: string, i: number): Promise<Uint8Array> => {
      if (missing.includes(f)) throw new Error(`${f}: no such file or folder`);
      const bytes = await readImageFile(f);
      logged(() => run?.artifact('input', f, bytes, i));
      return bytes;
    };
    let results: ClassifyResult[];
    try {
      results = await classifyMany(
        model,
        all.map((f, i) => ({ name: f, load: () => load(f, i) })),
        k,
        {
          onItem: (i, r) => {
            logged(() => run?.item(i, r));
            if (!values.json) printHuman(r, io);
          },
        },
      );
    } catch (e) {
      logged(() =>
        run?.finish('failed', {
          error: { code: (e as { code?: string }).code ?? 'internal', message: e instanceof Error ? e.message : String(e) },
        }),
      );
      throw e;
    }
    logged(() => run?.finish('done', { result: results }));
    const failed = results.filter((r) => r.error).length;
    if (values.json) io.out(JSON.stringify(results.map(jsonShape), null, 2));
    for (const r of results) if (r.error) io.err(r.error);
    return failed ? EXIT.partial : EXIT.ok;
  } finally {
    await engine.dispose();
  }
}

function jsonShape(r: ClassifyResult): Record<string, unknown> {
  return r.error ? { file: r.file, model: r.model, error: r.error, ms: r.ms } : { file: r.file, model: r.model, top: r.top, ms: r.ms };
}

function printHuman(r: ClassifyResult, io: CliIO): void {
  if (r.error) return;
  io.out(`${r.file}  (${r.model}, ${r.ms} ms)`);
  for (const t of r.top ?? []) io.out(`  ${(t.probability * 100).toFixed(1).padStart(5)}%  ${t.label}  [${t.index}]`);
}
