// Writes a gallery of create-tool results on the shared test photos to docs/gallery/ (small PNGs with
// provenance, plus README.md listing them), for people to judge by eye.
// Usage: npx tsx scripts/gallery.ts [--model PATH] [--size 192] [--quick]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ModelRegistry } from '../main/models/registry';
import { releaseRunner } from '../main/techniques/create-shared/net';
import type { CreateTool } from '../main/techniques/create-shared/params';
import { quietReporter } from '../main/techniques/create-shared/progress';
import { runCreate } from '../main/techniques/create-shared/run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.VISION_STUDIO_SHARED_MODELS ?? path.resolve(root, '../shared/models');
const { values: v } = parseArgs({
  options: {
    model: { type: 'string', default: path.join(shared, 'tiny_darknet_224.onnx') },
    size: { type: 'string', default: '192' },
    quick: { type: 'boolean', default: false },
  },
});
const out = path.join(root, 'docs/gallery');
fs.mkdirSync(out, { recursive: true });
process.env.VISION_STUDIO_HOME ??= fs.mkdtempSync(path.join(os.tmpdir(), 'vs-gallery-'));
const meta = await new ModelRegistry({ root: path.join(process.env.VISION_STUDIO_HOME, 'models') }).resolveAsync(v.model!);
const size = Number(v.size);
const q = v.quick ? 0.2 : 1;
const photo = (name: string) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(shared, 'photos', name))) });

interface Item {
  file: string;
  tool: CreateTool;
  what: string;
  params: Record<string, unknown>;
}
const steps = (n: number) => Math.max(2, Math.round(n * q));
const items: Item[] = [
  ...['cat.png', 'bird.png', 'sunflower.png'].map((p) => ({
    file: `dream-${p}`,
    tool: 'dream' as const,
    what: `DeepDream of ${p} (default layer, 4 octaves × 10 steps)`,
    params: { image: photo(p), steps: steps(10) },
  })),
  {
    file: 'dream-relu5_2-grace_hopper.png',
    tool: 'dream',
    what: 'DeepDream of grace_hopper.png on relu5_2',
    params: { image: photo('grace_hopper.png'), layers: ['relu5_2'], steps: steps(10) },
  },
  {
    file: 'invert-strip-cat.png',
    tool: 'invert',
    what: 'Inversion of cat.png from relu1_1, relu2_1, relu3_1, relu4_2, relu5_1 (shallow → deep)',
    params: { image: photo('cat.png'), layers: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_2', 'relu5_1'], steps: steps(150), size: 128 },
  },
  {
    file: 'texture-sunflower.png',
    tool: 'texture',
    what: 'Texture grown from sunflower.png (Gram layers conv1_1, pool1–pool4, average pooling)',
    params: { sample: photo('sunflower.png'), steps: steps(200), avgPool: true, sampleSize: size },
  },
  {
    file: 'texture-dragonfly.png',
    tool: 'texture',
    what: 'Texture grown from dragonfly.png (max pooling)',
    params: { sample: photo('dragonfly.png'), steps: steps(200), sampleSize: size },
  },
  {
    file: 'style-hopper-sunflower.png',
    tool: 'style',
    what: 'grace_hopper.png in the style of sunflower.png',
    params: { content: photo('grace_hopper.png'), styles: [{ image: photo('sunflower.png') }], steps: steps(150) },
  },
  {
    file: 'style-cat-dragonfly-colour.png',
    tool: 'style',
    what: 'cat.png in the style of dragonfly.png, colours preserved',
    params: { content: photo('cat.png'), styles: [{ image: photo('dragonfly.png') }], steps: steps(150), preserveColor: true },
  },
  {
    file: 'style-bird-blend.png',
    tool: 'style',
    what: 'bird.png in a 2:1 blend of sunflower.png and dragonfly.png',
    params: {
      content: photo('bird.png'),
      styles: [
        { image: photo('sunflower.png'), weight: 2 },
        { image: photo('dragonfly.png'), weight: 1 },
      ],
      steps: steps(150),
    },
  },
];

const lines = [
  `# Create gallery`,
  '',
  `Made by \`npx tsx scripts/gallery.ts\` with ${meta.name} (VGG's stand-in: a plain conv/pool stack with ImageNet weights) at ${size} px. Every PNG carries its provenance (model sha256, layers, parameters, seed, app version) in its text chunks.`,
  '',
];
for (const it of items) {
  const t0 = performance.now();
  const r = await runCreate(it.tool, meta, { modelId: meta.id, size, seed: 0, previewEvery: 0, ...it.params }, quietReporter());
  fs.writeFileSync(path.join(out, it.file), r.bytes);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `${it.file}: ${r.width}×${r.height}, ${r.steps} steps, loss ${r.lossStart.toPrecision(3)} → ${r.lossEnd.toPrecision(3)}, ${s} s`,
  );
  lines.push(
    `## ${it.what}`,
    '',
    `![${it.what}](${it.file})`,
    '',
    `${r.width}×${r.height}, ${r.steps} steps, layers ${r.layers.join(', ')}, loss ${r.lossStart.toPrecision(3)} → ${r.lossEnd.toPrecision(3)}, ${s} s on this machine.`,
    '',
  );
}
fs.writeFileSync(path.join(out, 'README.md'), lines.join('\n'));
await releaseRunner();
