// Compatibility matrix (not CI): torchvision classifiers exported as a new user would (random weights,
// torch.onnx.export at opset 17, dynamic batch; tests/reference/torchvision_matrix.py) run through every
// tool of the built CLI: classify, layers, grad (against PyTorch autograd: cosine of the input gradient of
// one class logit, and that logit itself), cam, dream and style. A cell fails on a non-zero exit and on an
// exit 0 that did not do its work (no steps, a non-finite loss, no output file).
// Usage: npm run build && npx tsx bench/compat/matrix.ts [--only a,b] [--tools grad,cam] [--dir /tmp/x] [--write]
// --write replaces the table in docs/compat-matrix.md. Exports go to --dir (default: a temp folder; they are
// up to 530 MB each: never commit them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeNpy } from '../../main/util/npy.js';
import { PYTHON } from '../lib/torch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: '' },
    tools: { type: 'string', default: 'classify,layers,grad,cam,dream,style' },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'vs-compat-matrix') },
    write: { type: 'boolean', default: false },
  },
});
const TOOLS = values.tools!.split(',').filter(Boolean);
const dir = values.dir!;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-compat-home-'));
const photos = path.join(root, '../shared/models/photos');
const env = { ...process.env, VISION_STUDIO_HOME: home, VISION_STUDIO_THREADS: process.env.VISION_STUDIO_THREADS ?? '2' };

interface Ref {
  name: string;
  onnx: string;
  size: number;
  x: string;
  grad: string;
  loss: number;
  class: number;
  error?: string;
}

interface Cell {
  ok: boolean;
  text: string;
  ms: number;
}

function cli(args: string[]): { code: number; out: string; err: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/vision-studio.js'), ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 900_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr.trim().split('\n').slice(-2).join(' '), ms: performance.now() - t0 };
}

const fail = (r: { code: number; err: string; ms: number }, why?: string): Cell => ({
  ok: false,
  text: why ?? `exit ${r.code}: ${r.err.slice(0, 160)}`,
  ms: r.ms,
});
/** The command's JSON: the whole output (classify pretty-prints an array) or its last line. */
const json = (s: string) => {
  try {
    return JSON.parse(s);
  } catch {
    return JSON.parse(s.trim().split('\n').at(-1) ?? 'null');
  }
};

/** A create tool's --json: steps > 0 and finite losses, and the file written. */
function created(r: ReturnType<typeof cli>, out: string): Cell {
  if (r.code !== 0) return fail(r);
  const j = json(r.out);
  if (!(j.steps > 0) || !Number.isFinite(j.loss_start) || !Number.isFinite(j.loss_end) || !fs.existsSync(out))
    return fail(r, `exit 0 without work: steps ${j.steps}, loss ${j.loss_start} → ${j.loss_end}`);
  return { ok: true, text: `${j.steps} steps, ${(j.ms / 1000).toFixed(1)} s`, ms: r.ms };
}

function run(ref: Ref, tool: string): Cell {
  const model = ref.onnx;
  const out = path.join(dir, `${ref.name}-${tool}`);
  switch (tool) {
    case 'classify': {
      const r = cli(['classify', path.join(photos, 'cat.png'), '--model', model, '--json']);
      if (r.code !== 0) return fail(r);
      const top = json(r.out)?.[0]?.top;
      return top?.length ? { ok: true, text: `top-1 ${top[0].index}`, ms: r.ms } : fail(r, 'no classes printed');
    }
    case 'layers': {
      const r = cli(['layers', '--model', model, '--json']);
      if (r.code !== 0) return fail(r);
      const j = json(r.out);
      return { ok: j.layers.length > 0, text: `${j.layers.length} layers`, ms: r.ms };
    }
    case 'grad': {
      const r = cli(['grad', '--model', model, '--objective', `class:${ref.class}`, '--image', ref.x, '--out', `${out}.npy`, '--json']);
      if (r.code !== 0) return fail(r);
      const ours = decodeNpy(fs.readFileSync(`${out}.npy`)).data;
      const want = decodeNpy(fs.readFileSync(ref.grad)).data;
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < want.length; i++) {
        dot += ours[i] * want[i];
        na += ours[i] ** 2;
        nb += want[i] ** 2;
      }
      const cos = dot / Math.sqrt(na * nb);
      const loss = json(r.out).loss;
      const rel = Math.abs(loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-30);
      return { ok: cos >= 0.9999, text: `cos ${cos.toFixed(7)}, logit rel. err ${rel.toExponential(1)}`, ms: r.ms };
    }
    case 'cam': {
      const r = cli(['cam', '--image', path.join(photos, 'cat.png'), '--model', model, '--out', `${out}.png`, '--json']);
      if (r.code !== 0) return fail(r);
      if (!fs.existsSync(`${out}.png`)) return fail(r, 'exit 0 without a PNG');
      const layer = String(json(r.out).layer);
      return { ok: true, text: layer.length > 40 ? `…${layer.slice(-40)}` : layer, ms: r.ms };
    }
    case 'dream':
      return created(
        cli([
          'dream',
          '--image',
          path.join(photos, 'cat.png'),
          '--model',
          model,
          '--size',
          '128',
          '--octaves',
          '2',
          '--steps',
          '2',
          '--out',
          `${out}.png`,
          '--json',
        ]),
        `${out}.png`,
      );
    case 'style':
      return created(
        cli([
          'style',
          '--content',
          path.join(photos, 'cat.png'),
          '--style',
          path.join(photos, 'sunflower.png'),
          '--model',
          model,
          '--size',
          '96',
          '--steps',
          '3',
          '--out',
          `${out}.png`,
          '--json',
        ]),
        `${out}.png`,
      );
    default:
      throw new Error(`unknown tool ${tool}`);
  }
}

fs.mkdirSync(dir, { recursive: true });
console.error(`exporting to ${dir} (PyTorch ${PYTHON}) …`);
const exp = spawnSync(PYTHON, [path.join(root, 'tests/reference/torchvision_matrix.py'), '--dir', dir, '--only', values.only!], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 << 20,
});
const refs: Ref[] = exp.stdout
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));

const rows: string[] = [];
const header = `| model | ${TOOLS.join(' | ')} |`;
rows.push(header, `|---|${TOOLS.map(() => '---').join('|')}|`);
let passed = 0;
let total = 0;
const t0 = performance.now();
for (const ref of refs) {
  if (ref.error) {
    rows.push(`| ${ref.name} | export failed: ${ref.error.slice(0, 120)} |`);
    console.log(rows.at(-1));
    continue;
  }
  const cells = TOOLS.map((tool) => {
    const c = run(ref, tool);
    total++;
    if (c.ok) passed++;
    console.error(`  ${ref.name} ${tool}: ${c.ok ? 'ok' : 'FAIL'} ${c.text} (${(c.ms / 1000).toFixed(1)} s)`);
    return `${c.ok ? '✓' : '✗'} ${c.text.replace(/\|/g, '\\|')}`;
  });
  rows.push(`| ${ref.name} (${ref.size} px) | ${cells.join(' | ')} |`);
  console.log(rows.at(-1));
}
const summary = `${passed} of ${total} cells pass (${refs.length} models, ${((performance.now() - t0) / 60000).toFixed(1)} min, ${env.VISION_STUDIO_THREADS} threads, ${os.cpus()[0]?.model ?? 'CPU'}).`;
console.log(`\n${summary}`);
fs.rmSync(home, { recursive: true, force: true });

if (values.write) {
  const doc = path.join(root, 'docs/compat-matrix.md');
  const begin = '<!-- matrix:begin -->';
  const end = '<!-- matrix:end -->';
  const text = fs.readFileSync(doc, 'utf8');
  const block = `${begin}\n${rows.join('\n')}\n\n${summary}\n${end}`;
  fs.writeFileSync(doc, text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block) : `${text}\n${block}\n`);
  console.error(`wrote ${doc}`);
}
