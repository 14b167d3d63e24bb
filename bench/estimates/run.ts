// Create's time estimates against real runs (not a CI test). For each tool at the page's default settings,
// at the default size and one larger, on both shared models, it asks the engine for the estimate exactly as
// the Create page does (`create.estimate` with the tool, model, size, steps, layers and octaves), runs the job
// through the same engine path (`create.<tool>` → job → result), and prints estimate, measured time and their
// ratio. "Measured" is what a person waits: from the call to the job's result. The cells run in the order a
// person would meet them in one studio session: the first run of a model and tool builds its sessions.
// The machine is shared, so the load average is printed per cell, with how much other programs stretch our
// compute (×: 1 on an idle machine) as the estimate measured it just before the run and as the run met it,
// and the runs of that model and tool the estimate had learned from (runs; 0: the graph alone). "job s" is
// the job's own time (from its start to its result, as the result states it). "@load" is the ratio with the
// load taken out (took ÷ its run's stretch against estimate ÷ the stretch it measured): how right the model and
// its calibration were, apart from the load changing between the estimate and the run.
// Usage: npx tsx bench/estimates/run.ts [--models mobilenet_v2_1.0_224,tiny_darknet_224] [--tools dream,invert,texture,style]
//        [--sizes 256,384] [--again 3]   (--again: re-run that many cells at the end, sessions warm)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateResult, type CreateTool } from '../../main/techniques/create-shared/params';
import { Engine } from '../../main/engine/engine';
import { releaseCamSessions } from '../../main/techniques/cam/sessions';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(here, '../../../shared/models');
const { values: v } = parseArgs({
  options: {
    models: { type: 'string', default: 'mobilenet_v2_1.0_224,tiny_darknet_224' },
    tools: { type: 'string', default: 'dream,invert,texture,style' },
    sizes: { type: 'string', default: '256,384' },
    again: { type: 'string', default: '3' },
    /** A data folder to keep what the estimates learned between bench runs (default: a fresh one, as a first-time user). */
    home: { type: 'string' },
  },
});

// The page's defaults (renderer/src/features/create/fields.ts): only what the estimate request carries differs.
const STEPS: Record<CreateTool, number> = { dream: 10, invert: 200, texture: 100, style: 200 };
const photo = (f: string) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(shared, 'photos', f))) });
const inputs: Record<CreateTool, () => Record<string, unknown>> = {
  dream: () => ({ image: photo('cat.png'), octaves: 4 }),
  invert: () => ({ image: photo('cat.png') }),
  texture: () => ({ sample: photo('sunflower.png') }),
  style: () => ({ content: photo('cat.png'), styles: [{ image: photo('dragonfly.png'), weight: 1 }] }),
};

const home = v.home ? path.resolve(v.home) : fs.mkdtempSync(path.join(os.tmpdir(), 'vs-bench-estimates-'));
process.env.VISION_STUDIO_HOME = home;
// Previews go through the client outbox and are acknowledged as the page does, so the job pays what it pays there.
const engine: Engine = new Engine({
  transport: 'bench',
  emit: (e) => {
    if (e.channel === 'job' && e.payload.type === 'preview') void engine.call('jobs.previewTaken', { jobId: e.payload.jobId });
  },
});

interface Cell {
  model: string;
  tool: CreateTool;
  size: number;
}
interface Row extends Cell {
  estimate: number;
  measured: number;
  jobMs: number;
  steps: number;
  load: number;
  note: string;
  /** Runs of this model and tool the estimate had learned from. */
  runs: number;
  /** How much other programs stretched work: as the estimate measured it, and during the run. */
  stretch: number;
  runStretch: number;
}

async function runCell(c: Cell): Promise<Row> {
  const modelId = path.join(shared, `${c.model}.onnx`);
  const steps = STEPS[c.tool];
  const images = inputs[c.tool]();
  // The page names the images the run will send by name and size, in the order the engine reads them.
  const files = [
    images.image,
    images.sample,
    images.content,
    ...((images.styles as { image: unknown }[] | undefined) ?? []).map((x) => x.image),
  ];
  const named = files.filter((f): f is { name: string; bytes: Uint8Array } => !!f).map((f) => `${f.name}:${f.bytes.length}`);
  const est = await engine.call('create.estimate', {
    tool: c.tool,
    modelId,
    size: c.size,
    steps,
    layers: [],
    octaves: c.tool === 'dream' ? 4 : undefined,
    inputs: named,
  });
  const load = os.loadavg()[0];
  const t0 = performance.now();
  const { jobId } = await engine.call(`create.${c.tool}`, {
    modelId,
    size: c.size,
    seed: 0,
    previewEvery: 5,
    steps,
    ...inputs[c.tool](),
  } as never);
  const r = CreateResult.parse(await engine.services.jobs.wait(jobId));
  const measured = (performance.now() - t0) / 1000;
  return {
    ...c,
    estimate: est.seconds,
    measured,
    jobMs: r.ms,
    steps: r.steps,
    load: Math.max(load, os.loadavg()[0]),
    note: est.note,
    runs: est.runs,
    stretch: est.stretch,
    runStretch: r.stretch ?? 1,
  };
}

const within = (r: Row) => r.measured / r.estimate >= 1 / 1.3 && r.measured / r.estimate <= 1.3;
/** The same ratio with the load taken out: what the run took at the load it met against the estimate at the load it measured. */
const atLoad = (r: Row) => r.measured / r.runStretch / (r.estimate / r.stretch);
const withinAtLoad = (r: Row) => atLoad(r) >= 1 / 1.3 && atLoad(r) <= 1.3;
const line = (r: Row, tag = '') =>
  `${tag}${r.model.padEnd(22)} ${r.tool.padEnd(8)} ${String(r.size).padStart(5)}  ${r.estimate.toFixed(1).padStart(7)}  ${r.measured
    .toFixed(1)
    .padStart(
      8,
    )}  ${(r.measured / r.estimate).toFixed(2).padStart(5)}  ${within(r) ? ' ok ' : 'OFF '}  ${atLoad(r).toFixed(2).padStart(5)}  ${String(r.steps).padStart(5)}  ${r.load
    .toFixed(2)
    .padStart(
      5,
    )}  ${r.stretch.toFixed(1).padStart(4)} ${r.runStretch.toFixed(1).padStart(4)}  ${String(r.runs).padStart(4)}  ${(r.jobMs / 1000).toFixed(1).padStart(6)}  ${r.note}`;
const header = `${'model'.padEnd(22)} ${'tool'.padEnd(8)} ${'size'.padStart(5)}  ${'est s'.padStart(7)}  ${'took s'.padStart(8)}  ${'ratio'.padStart(5)}  ±30%  ${'@load'.padStart(5)}  ${'steps'.padStart(5)}  ${'load'.padStart(5)}  ${'x est'.padStart(4)} ${'x run'.padStart(4)}  ${'runs'.padStart(4)}  ${'job s'.padStart(6)}  layers`;

console.log(
  `Create estimates vs runs, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(header);
const rows: Row[] = [];
try {
  for (const model of v.models!.split(','))
    for (const tool of v.tools!.split(',') as CreateTool[])
      for (const size of v.sizes!.split(',').map(Number)) {
        const row = await runCell({ model, tool, size });
        rows.push(row);
        console.log(line(row));
      }
  const ok = rows.filter(within).length;
  console.log(
    `\n${ok} of ${rows.length} within ±30% (ratio = took / estimate); ${rows.filter(withinAtLoad).length} of ${rows.length} at the load each met (@load)`,
  );
  const again = Number(v.again);
  if (again > 0) {
    console.log(
      `\nAgain (sessions warm), load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}:`,
    );
    const picks = rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / again)) === 0).slice(0, again);
    const second: Row[] = [];
    for (const p of picks) {
      const row = await runCell(p);
      second.push(row);
      console.log(line(row, ''));
    }
    console.log(
      `${second.filter(within).length} of ${second.length} within ±30%; ${second.filter(withinAtLoad).length} at the load each met`,
    );
  }
} finally {
  await engine.dispose();
  await releaseCamSessions();
  if (!v.home) fs.rmSync(home, { recursive: true, force: true });
}
