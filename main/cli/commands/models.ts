// vision-studio models list [--json] | pull ID | import PATH [--json] | remove ID
// Works on the registry directly (no engine process): the same files the studio reads.
import { parseArgs } from 'node:util';
import { StudioError, type ModelMeta } from '../../api/contract';
import { ModelRegistry } from '../../models/registry';
import { EXIT, stdio, UsageError, type CliIO } from '../io';

export const modelsHelp = `Usage: vision-studio models <list|pull|import|remove> [options]

  list [--json]                     every model: catalog (downloadable), imported, and built-in folders
  pull ID                           download a catalog model (resumes an interrupted download; sha256 verified)
  import PATH [--sidecar FILE] [--json]
                                    copy a local .onnx into the studio; X.json beside X.onnx is honoured
                                    (preprocessing, labels file, label offset); other metadata is inferred
  remove ID                         delete an imported model or a downloaded catalog file
Models live in $VISION_STUDIO_HOME/models. Extra read-only folders: VISION_STUDIO_MODEL_DIRS.
Exit codes: 0 ok, 1 failed (message on stderr), 2 usage error.`;

export interface ModelsCommandOptions {
  registry?: ModelRegistry;
  /** Redraw one progress bar on stderr (default: stderr is a TTY and io is the process's stdio). */
  tty?: boolean;
}

export async function modelsCommand(argv: string[], io: CliIO, opts: ModelsCommandOptions = {}): Promise<number> {
  try {
    return await run(argv, io, opts);
  } catch (e) {
    if (e instanceof UsageError || String((e as NodeJS.ErrnoException)?.code ?? '').startsWith('ERR_PARSE_ARGS')) {
      io.err(`vision-studio models: ${(e as Error).message}`);
      io.err('Usage: vision-studio models <list|pull ID|import PATH|remove ID> [--json]   (--help for more)');
      return EXIT.usage;
    }
    if (e instanceof StudioError) {
      io.err(`vision-studio models: ${e.message}`);
      return EXIT.failure;
    }
    throw e;
  }
}

async function run(argv: string[], io: CliIO, opts: ModelsCommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, sidecar: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [sub, ...args] = positionals;
  if (values.help || sub === 'help') return (io.out(modelsHelp), EXIT.ok);
  if (!sub) throw new UsageError('name a subcommand: list, pull, import or remove');
  const registry = (): ModelRegistry => opts.registry ?? new ModelRegistry();
  const one = (what: string): string => {
    if (args.length !== 1) throw new UsageError(`${sub} takes exactly one ${what}`);
    return args[0];
  };

  switch (sub) {
    case 'list': {
      if (args.length) throw new UsageError('list takes no arguments');
      const list = registry().list();
      io.out(values.json ? JSON.stringify(list, null, 2) : table(list));
      return EXIT.ok;
    }
    case 'pull': {
      const id = one('model id');
      const reg = registry();
      const meta = reg.get(id);
      if (meta.source !== 'catalog') throw new StudioError('bad_request', `${id} is a local model; only catalog models can be pulled`);
      if (meta.status === 'available') return (io.out(`${id} is already downloaded: ${meta.path}`), EXIT.ok);
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      const progress = progressReporter(id, io, opts.tty ?? (io === stdio && process.stderr.isTTY === true));
      try {
        const done = await reg.pull(id, { signal: ac.signal, onProgress: progress.update });
        progress.finish();
        io.out(`${id}: downloaded and verified (${mb(done.sizeBytes ?? 0)}) to ${done.path}`);
        return EXIT.ok;
      } catch (e) {
        progress.finish();
        if (e instanceof StudioError && e.code === 'cancelled') {
          io.err(`vision-studio models: ${id}: download cancelled; run the same command again to resume`);
          return EXIT.failure;
        }
        throw e;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    }
    case 'import': {
      const file = one('path to an .onnx file');
      const meta = await registry().import({ path: file }, values.sidecar ? { path: values.sidecar } : undefined);
      io.out(values.json ? JSON.stringify(meta, null, 2) : describe(meta));
      return EXIT.ok;
    }
    case 'remove': {
      const id = one('model id');
      const removed = await registry().remove(id);
      io.out(removed ? `${id}: removed` : `${id}: nothing on disk to remove`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown subcommand "${sub}"`);
  }
}

function table(list: ModelMeta[]): string {
  if (!list.length) return 'No models.';
  const rows = list.map((m) => [m.id, m.status, m.source, m.sizeBytes ? mb(m.sizeBytes) : '', m.name + (m.error ? `  (${m.error})` : '')]);
  const head = ['ID', 'STATUS', 'SOURCE', 'SIZE', 'NAME'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function describe(m: ModelMeta): string {
  const p = m.preprocessing;
  return [
    `Imported ${m.id} (${m.name}) to ${m.path}`,
    `  input ${m.inputName ?? '?'} ${m.inputSize[0]}x${m.inputSize[1]} ${p.layout} ${p.channelOrder}, ${m.numClasses || 'unknown number of'} classes, labels ${m.labels}${m.labelOffset ? ` (offset ${m.labelOffset})` : ''}`,
    `  preprocessing: pixel*${+p.scale.toPrecision(6)}, mean [${p.mean.join(', ')}], std [${p.std.join(', ')}], resize ${p.resize}${p.resizeTo ? ` ${p.resizeTo}` : ''}`,
    ...(m.notes ? [`  note: ${m.notes}`] : []),
  ].join('\n');
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** On a TTY: one bar redrawn in place. Otherwise (logs, CI): a line at every 10%. Both on stderr. */
function progressReporter(id: string, io: CliIO, tty: boolean) {
  let lastDecile = -1;
  let drawn = false;
  const started = Date.now();
  return {
    update(received: number, total: number | null): void {
      const frac = total ? Math.min(1, received / total) : 0;
      if (tty) {
        const width = 30;
        const bar = total ? '#'.repeat(Math.round(frac * width)).padEnd(width, '-') : '-'.repeat(width);
        const rate = received / Math.max(0.001, (Date.now() - started) / 1000);
        const pct = total ? `${Math.floor(frac * 100)}%`.padStart(4) : '   ?';
        process.stderr.write(`\r${id} [${bar}] ${pct}  ${mb(received)}${total ? ` of ${mb(total)}` : ''}  ${mb(rate)}/s   `);
        drawn = true;
        return;
      }
      const decile = total ? Math.floor(frac * 10) : -1;
      if (decile > lastDecile) {
        lastDecile = decile;
        io.err(`${id}: ${decile * 10}% (${mb(received)} of ${mb(total!)})`);
      }
    },
    finish(): void {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}
