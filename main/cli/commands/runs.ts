// vision-studio runs list|show|export|import|rm|restore: the experiment log from the terminal (same database as the app).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RunStatus, type RunDetail, type RunSummary } from '../../api/contract';
import { RunLog } from '../../log/run-log';
import type { RunStore } from '../../log/store';
import { exportRuns, importRuns, readImportFile } from '../../log/transfer';
import { EXIT, UsageError, type CliIO } from '../io';

export const runsHelp = `Usage: vision-studio runs <list|show|export|import|rm|restore> [options]

  list [--kind K] [--model ID] [--tag T] [--status S] [--since DATE] [--until DATE] [--text WORDS] [--limit N] [--deleted] [--json]
        newest first; --json prints an array of {"id","kind","status","model","created","params"}
  show <id> [--json]            parameters, metrics, artifacts, per-item results (an id prefix is enough)
  export <id...> [-o FILE.zip]  one zip with the runs' JSON and images
  import <FILE.zip>             runs already in the log are skipped
  rm <id...> [--purge]          delete (undo with restore); --purge deletes for good at once
  restore <id...>               undo rm
Statuses: ${RunStatus.options.join(', ')}. VISION_STUDIO_HOME chooses the data folder.
Exit codes: 0 ok, 1 failed (e.g. no such run), 2 usage.`;

type Sub = (args: string[], store: RunStore, io: CliIO) => number;

const SUBS: Record<string, Sub> = { list, show, export: exportCmd, import: importCmd, rm, restore };

export async function runsCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') return (io.out(runsHelp), sub ? EXIT.ok : EXIT.usage);
  const fn = SUBS[sub];
  if (!fn) throw new UsageError(`unknown subcommand "${sub}" (list, show, export, import, rm, restore)`);
  if (rest.includes('--help') || rest.includes('-h')) return (io.out(runsHelp), EXIT.ok);
  const log = new RunLog();
  try {
    return fn(rest, log.runs(), io);
  } finally {
    log.close();
  }
}

function list(args: string[], store: RunStore, io: CliIO): number {
  const { values: v } = parseArgs({
    args,
    options: {
      kind: { type: 'string' },
      model: { type: 'string' },
      tag: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      text: { type: 'string' },
      limit: { type: 'string', default: '50' },
      deleted: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const limit = Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit takes a whole number from 1 to 1000');
  if (v.status && !RunStatus.safeParse(v.status).success) throw new UsageError(`--status is one of ${RunStatus.options.join(', ')}`);
  const { runs, total } = store.list({
    kind: v.kind,
    model: v.model,
    tag: v.tag,
    status: v.status as RunSummary['status'] | undefined,
    from: date(v.since, '--since'),
    to: date(v.until, '--until'),
    text: v.text,
    includeDeleted: v.deleted ?? false,
    limit,
  });
  if (v.json) {
    io.out(
      JSON.stringify(
        runs.map((r) => ({
          id: r.id,
          kind: r.kind,
          status: r.status,
          model: r.modelId,
          created: new Date(r.created).toISOString(),
          params: r.params,
        })),
        null,
        2,
      ),
    );
    return EXIT.ok;
  }
  if (runs.length === 0) return (io.out('No runs.'), EXIT.ok);
  io.out(`${'ID'.padEnd(8)}  ${'CREATED'.padEnd(19)}  ${'STATUS'.padEnd(11)}  ${'KIND'.padEnd(15)}  ${'MODEL'.padEnd(20)}  LABEL`);
  for (const r of runs) {
    const when = new Date(r.created).toISOString().slice(0, 19).replace('T', ' ');
    const tags = r.tags.length ? `  [${r.tags.join(', ')}]` : '';
    io.out(
      `${r.id.slice(0, 8)}  ${when}  ${r.status.padEnd(11)}  ${r.kind.padEnd(15)}  ${(r.modelId ?? '-').padEnd(20)}  ${r.label}${tags}${r.deleted ? '  (deleted)' : ''}`,
    );
  }
  if (total > runs.length) io.out(`(${runs.length} of ${total}; --limit N for more)`);
  return EXIT.ok;
}

function show(args: string[], store: RunStore, io: CliIO): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('show takes one run id');
  const run = store.get(store.resolveId(positionals[0]));
  if (values.json) return (io.out(JSON.stringify(run, null, 2)), EXIT.ok);
  printDetail(run, io);
  return EXIT.ok;
}

function exportCmd(args: string[], store: RunStore, io: CliIO): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
  if (positionals.length === 0) throw new UsageError('export takes one or more run ids');
  const { name, bytes } = exportRuns(
    store,
    positionals.map((p) => store.resolveId(p)),
  );
  const file = path.resolve(values.output ?? name);
  fs.writeFileSync(file, bytes);
  io.out(`Exported ${positionals.length} run${positionals.length > 1 ? 's' : ''} to ${file} (${(bytes.length / 1024).toFixed(1)} KB)`);
  return EXIT.ok;
}

function importCmd(args: string[], store: RunStore, io: CliIO): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('import takes one .zip file');
  const file = positionals[0];
  if (!fs.existsSync(file)) return (io.err(`${file}: no such file`), EXIT.failure);
  const { imported, skipped } = importRuns(store, readImportFile(file), path.basename(file));
  io.out(
    `Imported ${imported.length} run${imported.length === 1 ? '' : 's'}${skipped.length ? `, skipped ${skipped.length} already in the log` : ''}.`,
  );
  for (const id of imported) io.out(`  ${id}`);
  return EXIT.ok;
}

function rm(args: string[], store: RunStore, io: CliIO): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { purge: { type: 'boolean' } } });
  if (positionals.length === 0) throw new UsageError('rm takes one or more run ids');
  const ids = positionals.map((p) => store.resolveId(p));
  const n = store.delete(ids);
  if (values.purge) {
    store.purgeDeleted(Date.now() + 1);
    io.out(`Deleted ${ids.length} run${ids.length > 1 ? 's' : ''} for good.`);
  } else io.out(`Deleted ${n} run${n === 1 ? '' : 's'} (undo: vision-studio runs restore ${ids.map((i) => i.slice(0, 8)).join(' ')}).`);
  return EXIT.ok;
}

function restore(args: string[], store: RunStore, io: CliIO): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('restore takes one or more run ids');
  const n = store.restore(positionals.map((p) => store.resolveId(p)));
  io.out(`Restored ${n} run${n === 1 ? '' : 's'}.`);
  return EXIT.ok;
}

function printDetail(r: RunDetail, io: CliIO): void {
  const t = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  io.out(`${r.id}  ${r.kind}  ${r.status}${r.deleted ? ' (deleted)' : ''}`);
  io.out(`  label     ${r.label}`);
  io.out(`  model     ${r.modelId ?? '-'}${r.modelSha256 ? `  sha256 ${r.modelSha256.slice(0, 16)}…` : ''}`);
  io.out(
    `  created   ${t(r.created)}   started ${t(r.started)}   ended ${t(r.ended)}${r.durationMs !== null ? `   (${r.durationMs} ms)` : ''}`,
  );
  io.out(`  app       ${r.appVersion}${r.seed !== null ? `   seed ${r.seed}` : ''}`);
  io.out(`  params    ${JSON.stringify(r.params)}`);
  if (r.error) io.out(`  error     ${r.error.code}: ${r.error.message}`);
  if (r.tags.length) io.out(`  tags      ${r.tags.join(', ')}`);
  if (r.note) io.out(`  note      ${r.note}`);
  for (const m of r.metrics)
    io.out(
      `  metric    ${m.name}: ${m.values.length} points, last ${m.values[m.values.length - 1]} at step ${m.steps[m.steps.length - 1]}`,
    );
  for (const a of r.artifacts)
    io.out(
      `  artifact  #${a.id} ${a.role} ${a.name} ${a.mime}${a.width ? ` ${a.width}x${a.height}` : ''} ${a.size} B${a.step !== null ? ` step ${a.step}` : ''}`,
    );
  if (r.items.length) io.out(`  items     ${r.items.length} (runs show --json for all)`);
}

function date(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} takes a date such as 2026-11-29 or 2026-11-29T10:00`);
  return ms;
}
